//! `ConsentStore`: remembered consent grants (one per user, client, AS and scope) and brokered
//! consent requests, decided at most once.

use crate::fixtures::{consent_grant, consent_request, ev, logged, not_logged, open, user, MINUTE, NOW};
use crate::Backend;
use baton::domain::{ConsentGrant, ConsentRequest, ConsentRequestStatus};
use std::slice::from_ref;

crate::backend_tests!(
    consent_grants,
    consent_grant_upsert,
    consent_requests_decided_once,
    consent_approvals_listed_and_revoked,
);

async fn consent_grants(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    let other = user("grace@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    store.create_user(&other, &[], &[]).await.unwrap();
    let profile = ConsentGrant {
        created: NOW + 1,
        last_updated: NOW + 1,
        ..consent_grant(&u.id, "0oaapp", "default", "profile")
    };
    let openid = consent_grant(&u.id, "0oaapp", "default", "openid");
    let elsewhere = consent_grant(&u.id, "0oaapp", "ausmcp", "mcp:read");
    let other_client = consent_grant(&u.id, "0oaother", "default", "email");
    let theirs = consent_grant(&other.id, "0oaapp", "default", "email");
    let created = ev("app.oauth2.as.consent.grant", &u.id);
    store.create_consent_grants(&[profile.clone(), openid.clone()], from_ref(&created)).await.unwrap();
    store.create_consent_grants(&[elsewhere.clone(), other_client.clone(), theirs.clone()], &[]).await.unwrap();

    assert_eq!(store.find_consent_grant(&u.id, &openid.id).await.unwrap(), Some(openid.clone()));
    assert_eq!(store.find_consent_grant(&other.id, &openid.id).await.unwrap(), None, "another user's grant");
    assert_eq!(store.find_consent_grant(&u.id, "oagabsent").await.unwrap(), None);
    let listed = store.list_consent_grants(&u.id).await.unwrap();
    assert_eq!(listed.len(), 4);
    assert_eq!(listed.last(), Some(&profile), "ordered by creation");
    assert_eq!(store.list_consent_grants(&other.id).await.unwrap(), vec![theirs.clone()]);
    assert_eq!(store.granted_scopes(&u.id, "0oaapp", "default").await.unwrap(), ["openid", "profile"]);
    assert_eq!(store.granted_scopes(&u.id, "0oaapp", "ausmcp").await.unwrap(), ["mcp:read"]);
    assert!(store.granted_scopes(&u.id, "0oanobody", "default").await.unwrap().is_empty());

    let revoked = ev("app.oauth2.as.consent.revoke", &openid.id);
    assert!(!store.revoke_consent_grant(&other.id, &openid.id, &[]).await.unwrap(), "another user's grant");
    assert!(store.revoke_consent_grant(&u.id, &openid.id, from_ref(&revoked)).await.unwrap());
    assert!(!store.revoke_consent_grant(&u.id, &openid.id, &[]).await.unwrap(), "already revoked");
    assert_eq!(store.granted_scopes(&u.id, "0oaapp", "default").await.unwrap(), ["profile"]);

    let cleared = ev("app.oauth2.as.consent.revoke.user", &u.id);
    assert_eq!(store.revoke_user_consent_grants(&u.id, from_ref(&cleared)).await.unwrap(), 3);
    assert!(store.list_consent_grants(&u.id).await.unwrap().is_empty());
    assert_eq!(store.revoke_user_consent_grants(&u.id, &[]).await.unwrap(), 0);
    assert_eq!(store.list_consent_grants(&other.id).await.unwrap(), vec![theirs], "other users keep theirs");
    logged(&store, &[created, revoked, cleared]).await;
}

async fn consent_grant_upsert(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    let first = consent_grant(&u.id, "0oaapp", "default", "email");
    store.create_consent_grants(from_ref(&first), &[]).await.unwrap();
    // Consenting again to the same scope keeps one grant: the original, refreshed.
    let again = ConsentGrant {
        source: "ADMIN".into(),
        last_updated: NOW + MINUTE,
        ..consent_grant(&u.id, "0oaapp", "default", "email")
    };
    store.create_consent_grants(from_ref(&again), &[]).await.unwrap();
    let listed = store.list_consent_grants(&u.id).await.unwrap();
    assert_eq!(listed.len(), 1, "one grant per user, client, AS and scope");
    assert_eq!((listed[0].id.as_str(), listed[0].created), (first.id.as_str(), first.created), "the original grant");
    assert_eq!((listed[0].source.as_str(), listed[0].last_updated), ("ADMIN", NOW + MINUTE));
    assert_eq!(listed[0].scope_id, again.scope_id);
    assert_eq!(store.granted_scopes(&u.id, "0oaapp", "default").await.unwrap(), ["email"]);
}

async fn consent_requests_decided_once(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    let other = user("grace@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    store.create_user(&other, &[], &[]).await.unwrap();
    let expires = NOW + 10 * MINUTE;
    let second = consent_request(&u.id, NOW + 1, expires);
    let first = consent_request(&u.id, NOW, expires);
    let stale = consent_request(&u.id, NOW - 20 * MINUTE, NOW - 10 * MINUTE);
    let theirs = consent_request(&other.id, NOW, expires);
    let created = ev("app.oauth2.as.consent.request", &second.id);
    store.create_consent_request(&second, from_ref(&created)).await.unwrap();
    for r in [&first, &stale, &theirs] {
        store.create_consent_request(r, &[]).await.unwrap();
    }
    assert_eq!(store.find_consent_request(&second.id).await.unwrap(), Some(second.clone()));
    assert_eq!(store.find_consent_request(&stale.id).await.unwrap(), Some(stale.clone()));
    assert_eq!(store.find_consent_request("ocrabsent").await.unwrap(), None);
    assert_eq!(store.list_pending_consent_requests(&u.id, NOW).await.unwrap(), vec![first.clone(), second.clone()]);
    assert!(store.list_pending_consent_requests(&u.id, expires).await.unwrap().is_empty(), "all expired by then");

    let approved = ev("app.oauth2.as.consent.approve", &first.id);
    assert!(store
        .decide_consent_request(&first.id, ConsentRequestStatus::Approved, NOW + MINUTE, from_ref(&approved))
        .await
        .unwrap());
    let decided =
        ConsentRequest { status: ConsentRequestStatus::Approved, decided: Some(NOW + MINUTE), ..first.clone() };
    assert_eq!(store.find_consent_request(&first.id).await.unwrap(), Some(decided.clone()));
    // Only once: neither a second answer nor a repeat changes the decision.
    assert!(!store
        .decide_consent_request(&first.id, ConsentRequestStatus::Denied, NOW + 2 * MINUTE, &[])
        .await
        .unwrap());
    assert!(!store
        .decide_consent_request(&first.id, ConsentRequestStatus::Approved, NOW + 2 * MINUTE, &[])
        .await
        .unwrap());
    assert_eq!(store.find_consent_request(&first.id).await.unwrap(), Some(decided));

    assert!(store.decide_consent_request(&second.id, ConsentRequestStatus::Denied, NOW + MINUTE, &[]).await.unwrap());
    assert_eq!(store.find_consent_request(&second.id).await.unwrap().unwrap().status, ConsentRequestStatus::Denied);
    // An expired request can no longer be decided; an unknown one never could.
    assert!(!store.decide_consent_request(&stale.id, ConsentRequestStatus::Approved, NOW, &[]).await.unwrap());
    assert!(!store.decide_consent_request(&theirs.id, ConsentRequestStatus::Approved, expires, &[]).await.unwrap());
    assert_eq!(store.find_consent_request(&stale.id).await.unwrap(), Some(stale));
    assert!(!store.decide_consent_request("ocrabsent", ConsentRequestStatus::Approved, NOW, &[]).await.unwrap());

    assert!(store.list_pending_consent_requests(&u.id, NOW + MINUTE).await.unwrap().is_empty(), "decided");
    assert_eq!(store.list_pending_consent_requests(&other.id, NOW).await.unwrap(), vec![theirs]);
    logged(&store, &[created, approved]).await;
}

async fn consent_approvals_listed_and_revoked(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    let other = user("grace@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    store.create_user(&other, &[], &[]).await.unwrap();
    let expires = NOW + 10 * MINUTE;
    let approved = consent_request(&u.id, NOW, expires);
    // Same (user, X, AS) as `approved`: listed together for the exchange.
    let pending = ConsentRequest {
        id: consent_request(&u.id, NOW, expires).id,
        created: NOW + 1,
        scopes: vec!["read".into(), "write".into()],
        ..approved.clone()
    };
    let denied = consent_request(&u.id, NOW + 2, expires);
    let theirs = ConsentRequest { user_id: other.id.clone(), ..consent_request(&other.id, NOW, expires) };
    for r in [&approved, &pending, &denied, &theirs] {
        store.create_consent_request(r, &[]).await.unwrap();
    }
    let granted = ev("app.oauth2.as.consent.grant", &approved.id);
    assert!(store
        .decide_consent_request(&approved.id, ConsentRequestStatus::Approved, NOW + MINUTE, from_ref(&granted))
        .await
        .unwrap());
    let refused = ev("app.oauth2.as.consent.grant", &denied.id);
    assert!(store
        .decide_consent_request(&denied.id, ConsentRequestStatus::Denied, NOW + MINUTE, from_ref(&refused))
        .await
        .unwrap());
    // A decision that does not happen writes no event.
    let late = ev("app.oauth2.as.consent.grant", "late");
    assert!(!store
        .decide_consent_request(&denied.id, ConsentRequestStatus::Approved, NOW + MINUTE, from_ref(&late))
        .await
        .unwrap());
    assert!(store.decide_consent_request(&theirs.id, ConsentRequestStatus::Approved, NOW, &[]).await.unwrap());

    let for_pair = store.list_consent_requests_for(&u.id, &approved.client_id, &approved.auth_server_id).await.unwrap();
    assert_eq!(for_pair.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [&approved.id, &pending.id]);
    assert_eq!(for_pair[0].status, ConsentRequestStatus::Approved);
    assert_eq!(for_pair[1], pending, "all fields round-trip");
    assert!(store
        .list_consent_requests_for(&other.id, &approved.client_id, &approved.auth_server_id)
        .await
        .unwrap()
        .is_empty());

    let approvals = store.list_consent_approvals(&u.id).await.unwrap();
    let decided =
        ConsentRequest { status: ConsentRequestStatus::Approved, decided: Some(NOW + MINUTE), ..approved.clone() };
    assert_eq!(approvals, vec![decided.clone()], "approved only, not pending or denied");
    assert_eq!(store.list_consent_approvals(&other.id).await.unwrap().len(), 1);

    let revoked = ev("app.oauth2.as.consent.revoke", &approved.id);
    assert!(
        !store.revoke_consent_request(&other.id, &approved.id, NOW, from_ref(&late)).await.unwrap(),
        "another user's"
    );
    assert!(!store.revoke_consent_request(&u.id, &denied.id, NOW, from_ref(&late)).await.unwrap(), "not approved");
    assert!(!store.revoke_consent_request(&u.id, &pending.id, NOW, &[]).await.unwrap(), "still pending");
    assert!(!store.revoke_consent_request(&u.id, "ocrabsent", NOW, &[]).await.unwrap());
    // Revocation outlives the request's expiry: approvals do not expire.
    let at = expires + MINUTE;
    assert!(store.revoke_consent_request(&u.id, &approved.id, at, from_ref(&revoked)).await.unwrap());
    assert!(!store.revoke_consent_request(&u.id, &approved.id, at, from_ref(&late)).await.unwrap(), "only once");
    assert_eq!(
        store.find_consent_request(&approved.id).await.unwrap(),
        Some(ConsentRequest { status: ConsentRequestStatus::Revoked, revoked: Some(at), ..decided })
    );
    assert!(store.list_consent_approvals(&u.id).await.unwrap().is_empty());
    assert_eq!(store.list_consent_approvals(&other.id).await.unwrap().len(), 1, "other users keep theirs");
    logged(&store, &[granted, refused, revoked]).await;
    not_logged(&store, &late).await;
}
