//! `UserStore` and `GroupStore`: round trips, case-insensitive logins, paging, memberships and
//! what deleting a user or a group takes with it.

use crate::fixtures::{
    app, assert_conflict, consent_grant, ev, group, logged, not_logged, open, session, sorted, user, HOUR, NOW,
};
use crate::Backend;
use baton::domain::{Group, User, UserStatus};
use baton::store::{Page, StoreError};
use serde_json::json;
use std::slice::from_ref;

crate::backend_tests!(
    user_round_trip_and_logins,
    list_users_filters_and_pages,
    delete_user_cascades,
    create_user_is_atomic,
    group_round_trip_and_pages,
    memberships,
    record_login_sets_only_last_login,
);

fn ids_of_users(users: &[User]) -> Vec<String> {
    users.iter().map(|u| u.id.clone()).collect()
}

fn ids_of_groups(groups: &[Group]) -> Vec<String> {
    groups.iter().map(|g| g.id.clone()).collect()
}

async fn user_round_trip_and_logins(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let ada = user("Ada.Lovelace@Example.com");
    let created = ev("user.lifecycle.create", &ada.id);
    store.create_user(&ada, &[], from_ref(&created)).await.unwrap();
    assert_eq!(store.find_user(&ada.id).await.unwrap(), Some(ada.clone()));
    assert_eq!(store.find_user_by_login("ada.lovelace@example.COM").await.unwrap(), Some(ada.clone()));
    assert_eq!(store.find_user("00uabsent").await.unwrap(), None);
    assert_eq!(store.find_user_by_login("grace@example.com").await.unwrap(), None);

    // Logins are unique regardless of case; the failed create leaves no user and no event.
    let twin = user("ADA.lovelace@example.com");
    let rejected = ev("user.lifecycle.create", &twin.id);
    assert_conflict(store.create_user(&twin, &[], from_ref(&rejected)).await, "login");
    assert_eq!(store.find_user(&twin.id).await.unwrap(), None);
    not_logged(&store, &rejected).await;

    // update_user replaces every field.
    let mut changed = ada.clone();
    changed.status = UserStatus::Suspended;
    changed.profile.0.insert("login".into(), json!("countess@example.com"));
    changed.profile.0.insert("costCenter".into(), json!({"code": 42, "tags": ["a", "b"]}));
    changed.profile.0.remove("nickNames");
    changed.password_hash = None;
    changed.activated = None;
    changed.status_changed = Some(NOW + 1);
    changed.last_login = Some(NOW + 2);
    changed.last_updated = NOW + 3;
    changed.password_changed = None;
    let updated = ev("user.lifecycle.suspend", &ada.id);
    store.update_user(&changed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_user(&ada.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_user_by_login("Countess@Example.com").await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_user_by_login("ada.lovelace@example.com").await.unwrap(), None);

    // Renaming onto another user's login conflicts and changes nothing.
    let grace = user("grace@example.com");
    store.create_user(&grace, &[], &[]).await.unwrap();
    let mut clash = grace.clone();
    clash.profile.0.insert("login".into(), json!("COUNTESS@example.com"));
    let rejected_update = ev("user.account.update_profile", &grace.id);
    assert_conflict(store.update_user(&clash, from_ref(&rejected_update)).await, "login");
    assert_eq!(store.find_user(&grace.id).await.unwrap(), Some(grace));
    not_logged(&store, &rejected_update).await;
    logged(&store, &[created, updated]).await;
}

async fn list_users_filters_and_pages(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let mut all = Vec::new();
    for (i, status) in
        [UserStatus::Active, UserStatus::Staged, UserStatus::Active, UserStatus::Staged, UserStatus::Active]
            .into_iter()
            .enumerate()
    {
        let u = User { status, ..user(&format!("user{i}@example.com")) };
        store.create_user(&u, &[], &[]).await.unwrap();
        all.push(u);
    }
    let expected = sorted(ids_of_users(&all));

    let first = store.list_users(None, &Page::first(2)).await.unwrap();
    assert_eq!(ids_of_users(&first), expected[..2]);
    let page = |after: &User| Page { after: Some(after.id.clone()), limit: 2 };
    let second = store.list_users(None, &page(&first[1])).await.unwrap();
    assert_eq!(ids_of_users(&second), expected[2..4]);
    let third = store.list_users(None, &page(&second[1])).await.unwrap();
    assert_eq!(ids_of_users(&third), expected[4..]);
    assert!(store.list_users(None, &page(&third[0])).await.unwrap().is_empty());
    // Pages carry whole users.
    let by_id = |id: &str| all.iter().find(|u| u.id == id).cloned().unwrap();
    assert_eq!(first, vec![by_id(&expected[0]), by_id(&expected[1])]);

    let staged = sorted(all.iter().filter(|u| u.status == UserStatus::Staged).map(|u| u.id.clone()).collect());
    let listed = store.list_users(Some(UserStatus::Staged), &Page::first(10)).await.unwrap();
    assert_eq!(ids_of_users(&listed), staged);
    let rest = Page { after: Some(staged[0].clone()), limit: 10 };
    assert_eq!(ids_of_users(&store.list_users(Some(UserStatus::Staged), &rest).await.unwrap()), staged[1..]);
    assert!(store.list_users(Some(UserStatus::Deprovisioned), &Page::first(10)).await.unwrap().is_empty());
}

async fn delete_user_cascades(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let team = group("Team");
    store.create_group(&team, &[]).await.unwrap();
    let a = app("0oacascade");
    store.create_app(&a, &[], &[]).await.unwrap();
    let gone = user("gone@example.com");
    let stays = user("stays@example.com");
    store.create_user(&gone, from_ref(&team.id), &[]).await.unwrap();
    store.create_user(&stays, from_ref(&team.id), &[]).await.unwrap();
    assert!(store.assign_user(&a.id, &gone.id, "gone", NOW, &[]).await.unwrap());
    let s = session(&gone.id);
    store.create_session(&s, &[]).await.unwrap();
    store.create_consent_grants(&[consent_grant(&gone.id, &a.client_id, "default", "openid")], &[]).await.unwrap();

    let deleted = ev("user.lifecycle.delete.completed", &gone.id);
    assert!(store.delete_user(&gone.id, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_user(&gone.id).await.unwrap(), None);
    assert_eq!(store.find_user_by_login("gone@example.com").await.unwrap(), None);
    assert_eq!(ids_of_users(&store.list_group_members(&team.id, &Page::first(10)).await.unwrap()), from_ref(&stays.id));
    assert!(store.list_user_groups(&gone.id).await.unwrap().is_empty());
    assert!(store.list_app_users(&a.id, &Page::first(10)).await.unwrap().is_empty());
    assert!(!store.is_user_assigned(&a.id, &gone.id).await.unwrap());
    assert_eq!(store.find_session(&s.id).await.unwrap(), None);
    assert_eq!(store.find_live_session(&s.token_hash, NOW + 1).await.unwrap(), None);
    assert!(store.list_consent_grants(&gone.id).await.unwrap().is_empty());
    // The group and the other member are untouched.
    assert_eq!(store.find_group(&team.id).await.unwrap(), Some(team));
    assert!(store.find_user(&stays.id).await.unwrap().is_some());

    assert!(!store.delete_user(&gone.id, &[]).await.unwrap(), "absent user");
    logged(&store, &[deleted]).await;
}

async fn create_user_is_atomic(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let team = group("Team");
    store.create_group(&team, &[]).await.unwrap();
    let u = user("partial@example.com");
    let e = ev("user.lifecycle.create", &u.id);
    let result = store.create_user(&u, &[team.id.clone(), "00gmissing".into()], from_ref(&e)).await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    assert_eq!(store.find_user(&u.id).await.unwrap(), None, "the user was rolled back");
    assert!(store.list_group_members(&team.id, &Page::first(10)).await.unwrap().is_empty());
    not_logged(&store, &e).await;

    // The same user with valid groups goes in whole.
    let other = group("Other");
    store.create_group(&other, &[]).await.unwrap();
    store.create_user(&u, &[team.id.clone(), other.id.clone()], &[]).await.unwrap();
    let groups = store.list_user_groups(&u.id).await.unwrap();
    assert_eq!(ids_of_groups(&groups), sorted(vec![team.id.clone(), other.id.clone()]));
}

async fn group_round_trip_and_pages(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let eng = group("Engineering");
    let created = ev("group.lifecycle.create", &eng.id);
    store.create_group(&eng, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_group(&eng.id).await.unwrap(), Some(eng.clone()));
    assert_eq!(store.find_group_by_name("Engineering").await.unwrap(), Some(eng.clone()));
    assert_eq!(store.find_group("00gabsent").await.unwrap(), None);
    assert_eq!(store.find_group_by_name("Sales").await.unwrap(), None);

    let dup = group("Engineering");
    let rejected = ev("group.lifecycle.create", &dup.id);
    assert_conflict(store.create_group(&dup, from_ref(&rejected)).await, "name");
    assert_eq!(store.find_group(&dup.id).await.unwrap(), None);
    not_logged(&store, &rejected).await;

    let mut renamed = eng.clone();
    renamed.name = "R&D".into();
    renamed.description = None;
    renamed.last_updated = NOW + 1;
    renamed.last_membership_updated = NOW + 2;
    let updated = ev("group.profile.update", &eng.id);
    store.update_group(&renamed, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_group(&eng.id).await.unwrap(), Some(renamed.clone()));
    assert_eq!(store.find_group_by_name("Engineering").await.unwrap(), None);
    assert_eq!(store.find_group_by_name("R&D").await.unwrap(), Some(renamed.clone()));

    let sales = group("Sales");
    let ops = group("Ops");
    store.create_group(&sales, &[]).await.unwrap();
    store.create_group(&ops, &[]).await.unwrap();
    let mut clash = sales.clone();
    clash.name = "Ops".into();
    assert_conflict(store.update_group(&clash, &[]).await, "name");

    let expected = sorted(vec![eng.id.clone(), sales.id.clone(), ops.id.clone()]);
    let first = store.list_groups(&Page::first(2)).await.unwrap();
    assert_eq!(ids_of_groups(&first), expected[..2]);
    let rest = store.list_groups(&Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(ids_of_groups(&rest), expected[2..]);

    let deleted = ev("group.lifecycle.delete", &eng.id);
    assert!(store.delete_group(&eng.id, from_ref(&deleted)).await.unwrap());
    assert_eq!(store.find_group(&eng.id).await.unwrap(), None);
    assert!(!store.delete_group(&eng.id, &[]).await.unwrap(), "absent group");
    assert_eq!(store.list_groups(&Page::first(10)).await.unwrap().len(), 2);
    logged(&store, &[created, updated, deleted]).await;
}

async fn memberships(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let team = group("Team");
    let other = group("Other");
    for g in [&team, &other] {
        store.create_group(g, &[]).await.unwrap();
    }
    let users: Vec<User> = (0..3).map(|i| user(&format!("member{i}@example.com"))).collect();
    for u in &users {
        store.create_user(u, &[], &[]).await.unwrap();
    }
    let added = ev("group.user_membership.add", &team.id);
    assert!(store.add_group_member(&team.id, &users[0].id, NOW + HOUR, from_ref(&added)).await.unwrap());
    assert!(!store.add_group_member(&team.id, &users[0].id, NOW + 2 * HOUR, &[]).await.unwrap(), "idempotent");
    assert_eq!(store.find_group(&team.id).await.unwrap().unwrap().last_membership_updated, NOW + HOUR);
    for u in &users[1..] {
        assert!(store.add_group_member(&team.id, &u.id, NOW + HOUR, &[]).await.unwrap());
    }
    assert!(store.add_group_member(&other.id, &users[0].id, NOW + HOUR, &[]).await.unwrap());

    let expected = sorted(ids_of_users(&users));
    let first = store.list_group_members(&team.id, &Page::first(2)).await.unwrap();
    assert_eq!(ids_of_users(&first), expected[..2]);
    let rest = store.list_group_members(&team.id, &Page { after: Some(first[1].id.clone()), limit: 2 }).await.unwrap();
    assert_eq!(ids_of_users(&rest), expected[2..]);
    assert_eq!(
        ids_of_groups(&store.list_user_groups(&users[0].id).await.unwrap()),
        sorted(vec![team.id.clone(), other.id.clone()])
    );
    assert_eq!(
        store.list_user_groups(&users[1].id).await.unwrap(),
        vec![store.find_group(&team.id).await.unwrap().unwrap()]
    );

    let removed = ev("group.user_membership.remove", &team.id);
    assert!(store.remove_group_member(&team.id, &users[0].id, NOW + 3 * HOUR, from_ref(&removed)).await.unwrap());
    assert!(!store.remove_group_member(&team.id, &users[0].id, NOW + 4 * HOUR, &[]).await.unwrap(), "not a member");
    assert_eq!(store.find_group(&team.id).await.unwrap().unwrap().last_membership_updated, NOW + 3 * HOUR);
    assert_eq!(
        ids_of_users(&store.list_group_members(&team.id, &Page::first(10)).await.unwrap()),
        expected.iter().filter(|id| **id != users[0].id).cloned().collect::<Vec<_>>()
    );

    // Deleting a group ends its memberships.
    assert!(store.delete_group(&other.id, &[]).await.unwrap());
    assert!(store.list_user_groups(&users[0].id).await.unwrap().is_empty());
    logged(&store, &[added, removed]).await;
}

async fn record_login_sets_only_last_login(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let ada = user("ada@example.com");
    store.create_user(&ada, &[], &[]).await.unwrap();
    store.record_login(&ada.id, NOW + 5).await.unwrap();
    let after = store.find_user(&ada.id).await.unwrap().unwrap();
    assert_eq!(after.last_login, Some(NOW + 5));
    assert_eq!(User { last_login: ada.last_login, ..after }, ada, "nothing else changes, not even lastUpdated");
    store.record_login("00uabsent", NOW).await.unwrap();
}
