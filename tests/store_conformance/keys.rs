//! `KeyStore`: signing keys of every AS and their rotation.

use crate::fixtures::{assert_conflict, ev, logged, not_logged, open, signing_key, NOW};
use crate::Backend;
use baton::domain::{SigningKey, SigningKeyStatus};
use std::slice::from_ref;

crate::backend_tests!(keys_round_trip, rotate_promotes_next, rotate_without_next, delete_expired_keys);

fn statuses(keys: &[SigningKey]) -> Vec<(String, SigningKeyStatus)> {
    keys.iter().map(|k| (k.kid.clone(), k.status)).collect()
}

async fn keys_round_trip(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let owner = "00oorg";
    let active = signing_key(owner, SigningKeyStatus::Active, NOW);
    let next = signing_key(owner, SigningKeyStatus::Next, NOW + 1);
    let foreign = signing_key("ausother", SigningKeyStatus::Active, NOW + 2);
    let created = ev("system.key.create", &active.kid);
    store.create_signing_key(&active, from_ref(&created)).await.unwrap();
    store.create_signing_key(&next, &[]).await.unwrap();
    store.create_signing_key(&foreign, &[]).await.unwrap();

    assert_eq!(store.find_signing_key(&active.kid).await.unwrap(), Some(active.clone()));
    assert_eq!(store.find_signing_key("absent").await.unwrap(), None);
    assert_eq!(store.list_signing_keys(owner).await.unwrap(), vec![next.clone(), active.clone()], "newest first");
    assert_eq!(store.list_signing_keys("ausother").await.unwrap(), vec![foreign.clone()]);
    assert!(store.list_signing_keys("ausnobody").await.unwrap().is_empty());

    // A kid is unique across every AS.
    let dup = SigningKey { kid: active.kid.clone(), ..signing_key("austhird", SigningKeyStatus::Next, NOW) };
    let rejected = ev("system.key.create", "dup");
    assert_conflict(store.create_signing_key(&dup, from_ref(&rejected)).await, "kid");
    assert!(store.list_signing_keys("austhird").await.unwrap().is_empty());
    not_logged(&store, &rejected).await;
    logged(&store, &[created]).await;
}

async fn rotate_promotes_next(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let owner = "ausmcp";
    let a = signing_key(owner, SigningKeyStatus::Active, NOW);
    let n = signing_key(owner, SigningKeyStatus::Next, NOW + 1);
    let bystander = signing_key("ausother", SigningKeyStatus::Active, NOW);
    for k in [&a, &n, &bystander] {
        store.create_signing_key(k, &[]).await.unwrap();
    }

    let t1 = NOW + 1000;
    let k3 = signing_key(owner, SigningKeyStatus::Next, t1);
    let rotated = ev("system.key.rotate", owner);
    store.rotate_signing_keys(owner, &k3, t1, from_ref(&rotated)).await.unwrap();
    let keys = store.list_signing_keys(owner).await.unwrap();
    assert_eq!(
        statuses(&keys),
        [
            (k3.kid.clone(), SigningKeyStatus::Next),
            (n.kid.clone(), SigningKeyStatus::Active),
            (a.kid.clone(), SigningKeyStatus::Expired)
        ]
    );
    assert_eq!(keys[0], k3, "the new key is stored as given, as NEXT");
    assert_eq!(keys[1], SigningKey { status: SigningKeyStatus::Active, activated: Some(t1), ..n.clone() });
    assert_eq!(keys[2], SigningKey { status: SigningKeyStatus::Expired, expired: Some(t1), ..a.clone() });
    assert_eq!(store.list_signing_keys("ausother").await.unwrap(), vec![bystander.clone()], "other AS untouched");

    // Again: the NEXT becomes ACTIVE, the ACTIVE expires, the old EXPIRED key keeps its time.
    let t2 = NOW + 2000;
    let k4 = signing_key(owner, SigningKeyStatus::Next, t2);
    store.rotate_signing_keys(owner, &k4, t2, &[]).await.unwrap();
    let keys = store.list_signing_keys(owner).await.unwrap();
    assert_eq!(
        statuses(&keys),
        [
            (k4.kid.clone(), SigningKeyStatus::Next),
            (k3.kid.clone(), SigningKeyStatus::Active),
            (n.kid.clone(), SigningKeyStatus::Expired),
            (a.kid.clone(), SigningKeyStatus::Expired)
        ]
    );
    assert_eq!((keys[1].activated, keys[2].expired, keys[3].expired), (Some(t2), Some(t2), Some(t1)));
    assert_eq!(store.find_signing_key(&bystander.kid).await.unwrap(), Some(bystander));
    logged(&store, &[rotated]).await;
}

async fn rotate_without_next(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let owner = "ausmcp";
    let a = signing_key(owner, SigningKeyStatus::Active, NOW);
    store.create_signing_key(&a, &[]).await.unwrap();
    let t = NOW + 1000;
    let replacement = signing_key(owner, SigningKeyStatus::Next, t);
    store.rotate_signing_keys(owner, &replacement, t, &[]).await.unwrap();
    let keys = store.list_signing_keys(owner).await.unwrap();
    assert_eq!(
        keys,
        vec![
            SigningKey { status: SigningKeyStatus::Active, activated: Some(t), ..replacement },
            SigningKey { status: SigningKeyStatus::Expired, expired: Some(t), ..a },
        ],
        "without a NEXT key the new key signs at once"
    );

    // An AS without any key gets its first ACTIVE key the same way.
    let first = signing_key("ausempty", SigningKeyStatus::Next, t);
    store.rotate_signing_keys("ausempty", &first, t, &[]).await.unwrap();
    let keys = store.list_signing_keys("ausempty").await.unwrap();
    assert_eq!(statuses(&keys), [(first.kid.clone(), SigningKeyStatus::Active)]);

    // A failed rotation (duplicate kid) changes nothing and logs nothing.
    let before = store.list_signing_keys(owner).await.unwrap();
    let dup = SigningKey { owner_id: owner.into(), ..first };
    let rejected = ev("system.key.rotate", owner);
    assert_conflict(store.rotate_signing_keys(owner, &dup, t + 1, from_ref(&rejected)).await, "kid");
    assert_eq!(store.list_signing_keys(owner).await.unwrap(), before);
    not_logged(&store, &rejected).await;
}

async fn delete_expired_keys(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let owner = "ausmcp";
    let a = signing_key(owner, SigningKeyStatus::Active, NOW);
    let n = signing_key(owner, SigningKeyStatus::Next, NOW + 1);
    store.create_signing_key(&a, &[]).await.unwrap();
    store.create_signing_key(&n, &[]).await.unwrap();
    let other_expired = SigningKey { expired: Some(NOW), ..signing_key("ausother", SigningKeyStatus::Expired, NOW) };
    store.create_signing_key(&other_expired, &[]).await.unwrap();
    // a expires at t1, n at t2.
    let (t1, t2) = (NOW + 1000, NOW + 2000);
    store.rotate_signing_keys(owner, &signing_key(owner, SigningKeyStatus::Next, t1), t1, &[]).await.unwrap();
    store.rotate_signing_keys(owner, &signing_key(owner, SigningKeyStatus::Next, t2), t2, &[]).await.unwrap();

    assert_eq!(store.delete_expired_signing_keys(owner, t1).await.unwrap(), 0, "strictly before");
    assert_eq!(store.delete_expired_signing_keys(owner, t1 + 1).await.unwrap(), 1);
    assert_eq!(store.find_signing_key(&a.kid).await.unwrap(), None);
    let left = store.list_signing_keys(owner).await.unwrap();
    assert_eq!(left.len(), 3);
    assert!(left.iter().any(|k| k.kid == n.kid && k.status == SigningKeyStatus::Expired));
    // ACTIVE and NEXT keys are never dropped, however old; nor are other owners' keys.
    assert_eq!(store.delete_expired_signing_keys(owner, t2 + 1).await.unwrap(), 1);
    let left = store.list_signing_keys(owner).await.unwrap();
    assert_eq!(left.iter().map(|k| k.status).collect::<Vec<_>>(), [SigningKeyStatus::Next, SigningKeyStatus::Active]);
    assert_eq!(store.find_signing_key(&other_expired.kid).await.unwrap(), Some(other_expired));
}
