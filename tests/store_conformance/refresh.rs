//! `GrantStore` refresh-token families: rotation (once, then only within the reuse leeway),
//! never on a revoked family, concurrently at most once; touching and revoking families.

use crate::fixtures::{
    access_token, ev, family, logged, not_logged, open, refresh_token, rotate, user, HOUR, MINUTE, NOW,
};
use crate::Backend;
use baton::domain::{RefreshFamily, RefreshToken};
use baton::store::{DynStore, Issuance};
use std::slice::from_ref;

crate::backend_tests!(
    rotate_once_then_within_leeway,
    rotation_commits_issuance_and_events_or_nothing,
    no_rotation_on_revoked_family,
    concurrent_rotation,
    touch_refresh_family,
    revoke_refresh_family
);

/// A user with one refresh family holding one current token.
async fn family_with_token(store: &DynStore, grant_id: Option<&str>) -> (RefreshFamily, RefreshToken) {
    let u = user(&format!("{}@example.com", baton::domain::ids::new_secret().to_lowercase()));
    store.create_user(&u, &[], &[]).await.unwrap();
    let fam = family(&u.id, grant_id);
    let rt = refresh_token(&fam.id, NOW);
    store
        .record_issuance(&Issuance { new_family: Some(&fam), refresh_token: Some(&rt), ..Issuance::default() }, &[])
        .await
        .unwrap();
    (fam, rt)
}

async fn rotate_once_then_within_leeway(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, None).await;
    let leeway = 30_000;

    // The current token rotates.
    let r1 = NOW + MINUTE;
    let t1 = refresh_token(&fam.id, r1);
    assert!(rotate(&store, &t0.token_hash, &t1, r1, r1 - leeway).await);
    let (old, fam_now) = store.find_refresh_token(&t0.token_hash).await.unwrap().unwrap();
    assert_eq!(old, RefreshToken { rotated: Some(r1), ..t0.clone() });
    assert_eq!(fam_now, RefreshFamily { last_used: r1, ..fam.clone() });
    assert_eq!(store.find_refresh_token(&t1.token_hash).await.unwrap(), Some((t1.clone(), fam_now)));

    // The superseded token still works within the leeway (a retried request), measured from
    // its first rotation...
    let r2 = r1 + 10_000;
    let t2 = refresh_token(&fam.id, r2);
    assert!(rotate(&store, &t0.token_hash, &t2, r2, r2 - leeway).await);
    assert_eq!(store.find_refresh_token(&t0.token_hash).await.unwrap().unwrap().0.rotated, Some(r1));
    assert!(store.find_refresh_token(&t2.token_hash).await.unwrap().is_some());
    // Without leeway (`rotated_after` = now) a superseded token is refused at once...
    let r3 = r2 + 1;
    assert!(!rotate(&store, &t0.token_hash, &refresh_token(&fam.id, r3), r3, r3).await);
    // ...and with it, never after the leeway has passed; a refused rotation stores nothing.
    let r4 = r1 + leeway + 1;
    let t4 = refresh_token(&fam.id, r4);
    assert!(!rotate(&store, &t0.token_hash, &t4, r4, r4 - leeway).await);
    assert_eq!(store.find_refresh_token(&t4.token_hash).await.unwrap(), None);
    // The current token still rotates.
    assert!(rotate(&store, &t1.token_hash, &t4, r4, r4).await);
    assert_eq!(store.find_refresh_token(&t4.token_hash).await.unwrap().unwrap().0, t4);
    assert!(!rotate(&store, "unknown", &refresh_token(&fam.id, r4), r4, r4).await);
}

/// A rotation writes the new refresh token, the access token minted from it and the grant
/// events in one transaction; a refused rotation writes none of them.
async fn rotation_commits_issuance_and_events_or_nothing(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, None).await;
    let t1 = refresh_token(&fam.id, NOW + 1);
    let at1 = access_token(Some(&fam.id), NOW + HOUR);
    let granted = ev("app.oauth2.as.token.grant.access_token", &fam.user_id);
    let issuance = Issuance { access_token: Some(&at1), refresh_token: Some(&t1), new_family: None };
    assert!(store
        .rotate_refresh_token(&t0.token_hash, NOW + 1, Some(NOW + 1), &issuance, from_ref(&granted))
        .await
        .unwrap());
    assert!(store.find_refresh_token(&t1.token_hash).await.unwrap().is_some());
    assert!(store.find_access_token(&at1.jti).await.unwrap().is_some());
    logged(&store, from_ref(&granted)).await;

    // t0 was rotated an hour ago as far as the leeway is concerned: refused, nothing written.
    let t2 = refresh_token(&fam.id, NOW + HOUR);
    let at2 = access_token(Some(&fam.id), NOW + 2 * HOUR);
    let refused = ev("app.oauth2.as.token.grant.access_token", &fam.user_id);
    let issuance = Issuance { access_token: Some(&at2), refresh_token: Some(&t2), new_family: None };
    assert!(!store
        .rotate_refresh_token(&t0.token_hash, NOW + HOUR, Some(NOW + HOUR - MINUTE), &issuance, from_ref(&refused))
        .await
        .unwrap());
    assert!(store.find_refresh_token(&t2.token_hash).await.unwrap().is_none());
    assert!(store.find_access_token(&at2.jti).await.unwrap().is_none());
    not_logged(&store, &refused).await;
}

async fn no_rotation_on_revoked_family(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, None).await;
    assert!(store.revoke_refresh_family(&fam.id, NOW + 1, &[]).await.unwrap());
    let t1 = refresh_token(&fam.id, NOW + 2);
    assert!(!rotate(&store, &t0.token_hash, &t1, NOW + 2, NOW - HOUR).await, "current token");
    assert_eq!(store.find_refresh_token(&t1.token_hash).await.unwrap(), None);
    assert_eq!(store.find_refresh_token(&t0.token_hash).await.unwrap().unwrap().0.rotated, None);

    // Nor for a superseded token within the leeway.
    let (fam, t0) = family_with_token(&store, None).await;
    let t1 = refresh_token(&fam.id, NOW + 1);
    assert!(rotate(&store, &t0.token_hash, &t1, NOW + 1, NOW + 1).await);
    assert!(store.revoke_refresh_family(&fam.id, NOW + 2, &[]).await.unwrap());
    let t2 = refresh_token(&fam.id, NOW + 3);
    assert!(!rotate(&store, &t0.token_hash, &t2, NOW + 3, NOW - HOUR).await);
    assert!(!rotate(&store, &t1.token_hash, &t2, NOW + 3, NOW - HOUR).await);
}

async fn concurrent_rotation(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, None).await;
    let now = NOW + MINUTE;
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, old, new) = (store.clone(), t0.token_hash.clone(), refresh_token(&fam.id, now));
            // No leeway: only the rotation that finds the token current may succeed.
            tokio::spawn(async move { (rotate(&store, &old, &new, now, now + 1).await, new) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (won, new) = task.await.unwrap();
        if won {
            winners.push(new);
        } else {
            assert_eq!(store.find_refresh_token(&new.token_hash).await.unwrap(), None);
        }
    }
    assert_eq!(winners.len(), 1, "exactly one of 16 concurrent rotations succeeds");
    assert!(store.find_refresh_token(&winners[0].token_hash).await.unwrap().is_some());
}

async fn touch_refresh_family(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, None).await;
    store.touch_refresh_family(&fam.id, NOW + HOUR).await.unwrap();
    let (token, fam_now) = store.find_refresh_token(&t0.token_hash).await.unwrap().unwrap();
    assert_eq!(token, t0, "a touch does not rotate");
    assert_eq!(fam_now, RefreshFamily { last_used: NOW + HOUR, ..fam });
    store.touch_refresh_family("unknown", NOW).await.unwrap();
}

async fn revoke_refresh_family(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let (fam, t0) = family_with_token(&store, Some("code-hash")).await;
    let (other, other_t0) = family_with_token(&store, Some("other-code")).await;
    let from_family = access_token(Some(&fam.id), NOW + HOUR);
    let from_other = access_token(Some(&other.id), NOW + HOUR);
    for t in [&from_family, &from_other] {
        store.record_issuance(&Issuance { access_token: Some(t), ..Issuance::default() }, &[]).await.unwrap();
    }

    let t = NOW + MINUTE;
    let revoked = ev("app.oauth2.as.token.revoke", &fam.id);
    assert!(store.revoke_refresh_family(&fam.id, t, from_ref(&revoked)).await.unwrap());
    assert!(!store.revoke_refresh_family(&fam.id, t + 1, &[]).await.unwrap(), "already revoked");
    assert!(!store.revoke_refresh_family("unknown", t, &[]).await.unwrap());
    let (_, fam_now) = store.find_refresh_token(&t0.token_hash).await.unwrap().unwrap();
    assert_eq!(fam_now.revoked, Some(t), "keeps the first revocation time");
    assert_eq!(store.find_access_token(&from_family.jti).await.unwrap().unwrap().revoked, Some(t));
    assert!(!rotate(&store, &t0.token_hash, &refresh_token(&fam.id, t), t, t).await);
    // Another family and its access token are untouched.
    assert_eq!(store.find_access_token(&from_other.jti).await.unwrap(), Some(from_other));
    assert_eq!(store.find_refresh_token(&other_t0.token_hash).await.unwrap().unwrap().1, other);
    logged(&store, &[revoked]).await;
}
