//! `GrantStore`: authorization codes, jtis, issuance records, and revocation of access tokens
//! and of whole grants. (Refresh-token rotation is in `refresh.rs`.)

use crate::fixtures::{access_token, code, ev, family, logged, open, refresh_token, rotate, user, HOUR, MINUTE, NOW};
use crate::Backend;
use baton::domain::{AccessTokenRecord, AuthorizationCode, RefreshFamily};
use baton::store::{CodeUse, DynStore, Issuance};
use std::slice::from_ref;
use std::sync::Arc;

crate::backend_tests!(
    code_fresh_then_reused,
    concurrent_code_redemption,
    jti_single_use,
    concurrent_jti,
    record_issuance_writes_everything,
    revoke_access_token,
    revoke_grant_reaches_tokens_and_families
);

async fn new_user(store: &DynStore) -> String {
    let u = user(&format!("{}@example.com", baton::domain::ids::new_secret().to_lowercase()));
    store.create_user(&u, &[], &[]).await.unwrap();
    u.id
}

async fn code_fresh_then_reused(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let uid = new_user(&store).await;
    let c = code(&uid, NOW + 5 * MINUTE);
    let created = ev("app.oauth2.authorize.code", &uid);
    store.create_code(&c, from_ref(&created)).await.unwrap();

    let consumed = AuthorizationCode { consumed: Some(NOW + MINUTE), ..c.clone() };
    assert_eq!(store.consume_code(&c.code_hash, NOW + MINUTE).await.unwrap(), CodeUse::Fresh(consumed.clone()));
    assert_eq!(store.consume_code(&c.code_hash, NOW + 2 * MINUTE).await.unwrap(), CodeUse::Reused(consumed.clone()));
    assert_eq!(store.consume_code(&c.code_hash, NOW + 3 * MINUTE).await.unwrap(), CodeUse::Reused(consumed));
    assert_eq!(store.consume_code("unknown", NOW).await.unwrap(), CodeUse::Invalid);

    // An expired code is invalid, and stays so (it was never consumed, so it is no replay).
    let stale = code(&uid, NOW + 5 * MINUTE);
    store.create_code(&stale, &[]).await.unwrap();
    assert_eq!(store.consume_code(&stale.code_hash, NOW + 5 * MINUTE).await.unwrap(), CodeUse::Invalid);
    assert_eq!(store.consume_code(&stale.code_hash, NOW + 6 * MINUTE).await.unwrap(), CodeUse::Invalid);
    logged(&store, &[created]).await;
}

async fn concurrent_code_redemption(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let uid = new_user(&store).await;
    let c = code(&uid, NOW + 5 * MINUTE);
    store.create_code(&c, &[]).await.unwrap();
    let hash = Arc::new(c.code_hash.clone());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, hash) = (store.clone(), hash.clone());
            tokio::spawn(async move { store.consume_code(&hash, NOW + MINUTE).await.unwrap() })
        })
        .collect();
    let (mut fresh, mut reused) = (0, 0);
    for task in tasks {
        match task.await.unwrap() {
            CodeUse::Fresh(_) => fresh += 1,
            CodeUse::Reused(_) => reused += 1,
            CodeUse::Invalid => panic!("a live code was reported invalid"),
        }
    }
    assert_eq!((fresh, reused), (1, 15), "exactly one of 16 concurrent redemptions is fresh");
}

async fn jti_single_use(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let expires = NOW + 5 * MINUTE;
    assert!(store.consume_jti("client_assertion", "jti-1", expires).await.unwrap());
    assert!(!store.consume_jti("client_assertion", "jti-1", expires).await.unwrap(), "replay");
    assert!(
        !store.consume_jti("client_assertion", "jti-1", expires + HOUR).await.unwrap(),
        "a later expiry is no reset"
    );
    assert!(store.consume_jti("id_jag:https://idp.test", "jti-1", expires).await.unwrap(), "namespaces are separate");
    assert!(store.consume_jti("client_assertion", "jti-2", expires).await.unwrap());

    // Once expired and purged, the jti is forgotten.
    store.purge_expired(expires - 1).await.unwrap();
    assert!(!store.consume_jti("client_assertion", "jti-1", expires).await.unwrap(), "not yet expired: kept");
    store.purge_expired(expires + HOUR + 1).await.unwrap();
    assert!(store.consume_jti("client_assertion", "jti-1", expires + 2 * HOUR).await.unwrap());
}

async fn concurrent_jti(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.consume_jti("client_assertion", "contended", NOW + MINUTE).await.unwrap() })
        })
        .collect();
    let mut wins = 0;
    for task in tasks {
        wins += i32::from(task.await.unwrap());
    }
    assert_eq!(wins, 1, "exactly one of 16 concurrent consumers wins");
}

async fn record_issuance_writes_everything(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let uid = new_user(&store).await;
    let fam = family(&uid, Some("code-hash"));
    let rt = refresh_token(&fam.id, NOW);
    let at = access_token(Some(&fam.id), NOW + HOUR);
    let granted = ev("app.oauth2.as.token.grant.access_token", &at.jti);
    let refresh_granted = ev("app.oauth2.as.token.grant.refresh_token", &fam.id);
    let issuance = Issuance { access_token: Some(&at), new_family: Some(&fam), refresh_token: Some(&rt) };
    store.record_issuance(&issuance, &[granted.clone(), refresh_granted.clone()]).await.unwrap();
    assert_eq!(store.find_access_token(&at.jti).await.unwrap(), Some(at.clone()));
    assert_eq!(store.find_refresh_token(&rt.token_hash).await.unwrap(), Some((rt.clone(), fam.clone())));
    assert_eq!(store.find_access_token("AT.absent").await.unwrap(), None);
    assert_eq!(store.find_refresh_token("absent").await.unwrap(), None);

    // An access token alone (client credentials), with no user and no grant.
    let service = AccessTokenRecord { user_id: None, ..access_token(None, NOW + HOUR) };
    store.record_issuance(&Issuance { access_token: Some(&service), ..Issuance::default() }, &[]).await.unwrap();
    assert_eq!(store.find_access_token(&service.jti).await.unwrap(), Some(service));
    // A refresh token into an existing family, and an issuance of nothing but events.
    let more = refresh_token(&fam.id, NOW + 1);
    store.record_issuance(&Issuance { refresh_token: Some(&more), ..Issuance::default() }, &[]).await.unwrap();
    assert_eq!(store.find_refresh_token(&more.token_hash).await.unwrap(), Some((more, fam)));
    let only_event = ev("app.oauth2.as.token.grant", "nothing");
    store.record_issuance(&Issuance::default(), from_ref(&only_event)).await.unwrap();
    logged(&store, &[granted, refresh_granted, only_event]).await;
}

async fn revoke_access_token(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let at = access_token(None, NOW + HOUR);
    let other = access_token(None, NOW + HOUR);
    for t in [&at, &other] {
        store.record_issuance(&Issuance { access_token: Some(t), ..Issuance::default() }, &[]).await.unwrap();
    }
    let revoked = ev("app.oauth2.as.token.revoke", &at.jti);
    assert!(store.revoke_access_token(&at.jti, NOW + MINUTE, from_ref(&revoked)).await.unwrap());
    let after = AccessTokenRecord { revoked: Some(NOW + MINUTE), ..at.clone() };
    assert_eq!(store.find_access_token(&at.jti).await.unwrap(), Some(after.clone()));
    assert!(!store.revoke_access_token(&at.jti, NOW + 2 * MINUTE, &[]).await.unwrap(), "already revoked");
    assert_eq!(store.find_access_token(&at.jti).await.unwrap(), Some(after), "keeps the first revocation time");
    assert!(!store.revoke_access_token("AT.absent", NOW, &[]).await.unwrap());
    assert_eq!(store.find_access_token(&other.jti).await.unwrap(), Some(other));
    logged(&store, &[revoked]).await;
}

async fn revoke_grant_reaches_tokens_and_families(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let uid = new_user(&store).await;
    let c = code(&uid, NOW + 5 * MINUTE);
    store.create_code(&c, &[]).await.unwrap();
    let grant = c.code_hash.as_str();
    // What the first use of the code issued: an access token, and a family with its own
    // access token (from a refresh).
    let from_code = access_token(Some(grant), NOW + HOUR);
    let fam = family(&uid, Some(grant));
    let rt = refresh_token(&fam.id, NOW);
    let from_family = access_token(Some(&fam.id), NOW + HOUR);
    let issue = Issuance { access_token: Some(&from_code), new_family: Some(&fam), refresh_token: Some(&rt) };
    store.record_issuance(&issue, &[]).await.unwrap();
    store.record_issuance(&Issuance { access_token: Some(&from_family), ..Issuance::default() }, &[]).await.unwrap();
    // An unrelated grant of the same user.
    let other_fam = family(&uid, Some("other-code"));
    let other_refresh = refresh_token(&other_fam.id, NOW);
    let other_access = access_token(Some(&other_fam.id), NOW + HOUR);
    let other = Issuance {
        access_token: Some(&other_access),
        new_family: Some(&other_fam),
        refresh_token: Some(&other_refresh),
    };
    store.record_issuance(&other, &[]).await.unwrap();

    let t = NOW + MINUTE;
    let revoked = ev("app.oauth2.as.token.revoke", grant);
    assert_eq!(store.revoke_grant(grant, t, from_ref(&revoked)).await.unwrap(), 3, "two access tokens and a family");
    for jti in [&from_code.jti, &from_family.jti] {
        assert_eq!(store.find_access_token(jti).await.unwrap().unwrap().revoked, Some(t));
    }
    let (_, family_now) = store.find_refresh_token(&rt.token_hash).await.unwrap().unwrap();
    assert_eq!(family_now, RefreshFamily { revoked: Some(t), ..fam.clone() });
    assert!(!rotate(&store, &rt.token_hash, &refresh_token(&fam.id, t), t, t).await);
    // The other grant is untouched.
    assert_eq!(store.find_access_token(&other_access.jti).await.unwrap(), Some(other_access.clone()));
    assert_eq!(
        store.find_refresh_token(&other_refresh.token_hash).await.unwrap(),
        Some((other_refresh.clone(), other_fam.clone()))
    );
    assert_eq!(store.revoke_grant(grant, t + 1, &[]).await.unwrap(), 0, "nothing left to revoke");

    // A family id is a grant id too.
    assert_eq!(store.revoke_grant(&other_fam.id, t, &[]).await.unwrap(), 2);
    assert_eq!(store.find_access_token(&other_access.jti).await.unwrap().unwrap().revoked, Some(t));
    assert_eq!(store.find_refresh_token(&other_refresh.token_hash).await.unwrap().unwrap().1.revoked, Some(t));
    assert_eq!(store.revoke_grant("unknown", t, &[]).await.unwrap(), 0);
    logged(&store, &[revoked]).await;
}
