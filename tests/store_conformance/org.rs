//! `OrgStore` and `ApiTokenStore`.

use crate::fixtures::{api_token, ev, group, logged, not_logged, open, org, NOW};
use crate::Backend;
use std::slice::from_ref;

crate::backend_tests!(org_round_trip, api_tokens_round_trip, api_token_touch_and_revoke, wipe_data_keeps_the_org);

async fn org_round_trip(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    assert_eq!(store.find_org().await.unwrap(), None, "a fresh store has no org");

    let mut o = org();
    let created = ev("system.org.create", &o.id);
    store.create_org(&o, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_org().await.unwrap(), Some(o.clone()));

    o.company_name = "Acme Corp".into();
    o.subdomain = "acme.example.com".into();
    o.last_updated = NOW + 1;
    let updated = ev("system.org.update", &o.id);
    store.update_org(&o, from_ref(&updated)).await.unwrap();
    assert_eq!(store.find_org().await.unwrap(), Some(o));
    logged(&store, &[created, updated]).await;
}

async fn api_tokens_round_trip(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let first = api_token("ci");
    let mut second = api_token("deploy");
    second.created = NOW + 1;
    second.user_id = Some("00uowner".into());
    // Names are not unique: the oldest token of a name is the one found by name.
    let mut third = api_token("ci");
    third.created = NOW + 2;
    third.super_admin = true;
    let mut events = Vec::new();
    // Created out of order: listing follows creation time, not insertion order.
    for token in [&third, &first, &second] {
        let e = ev("system.api_token.create", &token.id);
        store.create_api_token(token, from_ref(&e)).await.unwrap();
        events.push(e);
    }

    assert_eq!(store.find_api_token(&second.id).await.unwrap(), Some(second.clone()));
    assert_eq!(store.find_api_token_by_hash(&third.token_hash).await.unwrap(), Some(third.clone()));
    assert_eq!(store.find_api_token_by_name("ci").await.unwrap(), Some(first.clone()));
    assert_eq!(store.find_api_token("00Tabsent").await.unwrap(), None);
    assert_eq!(store.find_api_token_by_hash("nope").await.unwrap(), None);
    assert_eq!(store.find_api_token_by_name("nobody").await.unwrap(), None);
    assert_eq!(store.list_api_tokens().await.unwrap(), vec![first.clone(), second.clone(), third.clone()]);

    let mut changed = second.clone();
    changed.name = "deploy-2".into();
    changed.client_name = "okta-cli".into();
    changed.token_hash = "rotatedhash".into();
    changed.super_admin = true;
    changed.user_id = None;
    changed.expires = None;
    changed.last_used = Some(NOW + 3);
    changed.token_window = "P7D".into();
    changed.last_updated = NOW + 4;
    let e = ev("system.api_token.update", &changed.id);
    store.update_api_token(&changed, from_ref(&e)).await.unwrap();
    events.push(e);
    assert_eq!(store.find_api_token(&second.id).await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_api_token_by_hash("rotatedhash").await.unwrap(), Some(changed.clone()));
    assert_eq!(store.find_api_token_by_hash(&second.token_hash).await.unwrap(), None);
    assert_eq!(store.find_api_token_by_name("deploy").await.unwrap(), None);
    assert_eq!(store.list_api_tokens().await.unwrap(), vec![first, changed, third]);
    logged(&store, &events).await;
}

async fn api_token_touch_and_revoke(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let token = api_token("ci");
    let other = api_token("other");
    store.create_api_token(&token, &[]).await.unwrap();
    store.create_api_token(&other, &[]).await.unwrap();

    store.touch_api_token(&token.id, NOW + 5).await.unwrap();
    let touched = store.find_api_token(&token.id).await.unwrap().unwrap();
    assert_eq!(touched.last_used, Some(NOW + 5));
    assert_eq!(touched.last_updated, NOW, "a use is not an update");
    store.touch_api_token("00Tabsent", NOW + 5).await.unwrap();

    let e = ev("system.api_token.revoke", &token.id);
    assert!(store.revoke_api_token(&token.id, from_ref(&e)).await.unwrap());
    assert_eq!(store.find_api_token(&token.id).await.unwrap(), None);
    assert_eq!(store.find_api_token_by_hash(&token.token_hash).await.unwrap(), None);
    assert!(!store.revoke_api_token(&token.id, &[]).await.unwrap(), "already revoked");
    assert_eq!(store.list_api_tokens().await.unwrap(), vec![other]);
    logged(&store, &[e]).await;
}

async fn wipe_data_keeps_the_org(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let o = org();
    store.create_org(&o, &[]).await.unwrap();
    let token = api_token("ci");
    let created = ev("system.api_token.create", &token.id);
    store.create_api_token(&token, from_ref(&created)).await.unwrap();
    let g = group("Temporary");
    store.create_group(&g, &[]).await.unwrap();

    let wiped = ev("system.dev.reset", &o.id);
    store.wipe_data(from_ref(&wiped)).await.unwrap();
    assert_eq!(store.find_org().await.unwrap(), Some(o), "the org survives");
    assert_eq!(store.find_api_token_by_name("ci").await.unwrap(), None);
    assert_eq!(store.find_group(&g.id).await.unwrap(), None);
    // The System Log is wiped too, then holds the wipe's own event.
    not_logged(&store, &created).await;
    logged(&store, &[wiped]).await;
    // The store works as before.
    store.create_group(&g, &[]).await.unwrap();
    assert_eq!(store.find_group(&g.id).await.unwrap().map(|x| x.id), Some(g.id));
}
