//! `SessionStore`: browser sessions and single-use session tokens.

use crate::fixtures::{ev, logged, open, session, session_token, user, HOUR, MINUTE, NOW};
use crate::Backend;
use baton::domain::Session;
use std::slice::from_ref;
use std::sync::Arc;

crate::backend_tests!(
    session_lifecycle,
    end_user_sessions,
    session_token_single_use,
    concurrent_session_token_redemption
);

async fn session_lifecycle(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    let s = session(&u.id);
    let created = ev("user.session.start", &s.id);
    store.create_session(&s, from_ref(&created)).await.unwrap();
    assert_eq!(store.find_session(&s.id).await.unwrap(), Some(s.clone()));
    assert_eq!(store.find_session("102absent").await.unwrap(), None);
    assert_eq!(store.find_live_session(&s.token_hash, NOW).await.unwrap(), Some(s.clone()));
    assert_eq!(store.find_live_session("unknown-hash", NOW).await.unwrap(), None);
    assert_eq!(store.find_live_session(&s.token_hash, s.expires).await.unwrap(), None, "expired at its expiry");

    // Touching slides the idle expiry.
    store.touch_session(&s.id, NOW + HOUR, NOW + 3 * HOUR).await.unwrap();
    let touched = Session { last_seen: NOW + HOUR, expires: NOW + 3 * HOUR, ..s.clone() };
    assert_eq!(store.find_session(&s.id).await.unwrap(), Some(touched.clone()));
    assert_eq!(store.find_live_session(&s.token_hash, s.expires).await.unwrap(), Some(touched.clone()));

    let ended = ev("user.session.end", &s.id);
    assert!(store.end_session(&s.id, NOW + 2 * HOUR, from_ref(&ended)).await.unwrap());
    assert!(!store.end_session(&s.id, NOW + 2 * HOUR + 1, &[]).await.unwrap(), "already ended");
    assert!(!store.end_session("102absent", NOW, &[]).await.unwrap());
    let after = Session { ended: Some(NOW + 2 * HOUR), ..touched };
    assert_eq!(store.find_session(&s.id).await.unwrap(), Some(after.clone()), "an ended session is still readable");
    assert_eq!(store.find_live_session(&s.token_hash, NOW + 2 * HOUR).await.unwrap(), None);
    // An ended session cannot be revived by a touch.
    store.touch_session(&s.id, NOW + 2 * HOUR + MINUTE, NOW + 5 * HOUR).await.unwrap();
    assert_eq!(store.find_session(&s.id).await.unwrap(), Some(after));
    assert_eq!(store.find_live_session(&s.token_hash, NOW + 2 * HOUR + MINUTE).await.unwrap(), None);
    logged(&store, &[created, ended]).await;
}

async fn end_user_sessions(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    let other = user("grace@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    store.create_user(&other, &[], &[]).await.unwrap();
    let live = [session(&u.id), session(&u.id)];
    let already_ended = Session { ended: Some(NOW), ..session(&u.id) };
    let others = session(&other.id);
    for s in live.iter().chain([&already_ended, &others]) {
        store.create_session(s, &[]).await.unwrap();
    }

    let e = ev("user.session.clear", &u.id);
    assert_eq!(store.end_user_sessions(&u.id, NOW + MINUTE, from_ref(&e)).await.unwrap(), 2);
    for s in &live {
        assert_eq!(store.find_session(&s.id).await.unwrap().unwrap().ended, Some(NOW + MINUTE));
        assert_eq!(store.find_live_session(&s.token_hash, NOW + MINUTE).await.unwrap(), None);
    }
    assert_eq!(store.find_session(&already_ended.id).await.unwrap(), Some(already_ended), "keeps its end time");
    assert_eq!(store.find_live_session(&others.token_hash, NOW + MINUTE).await.unwrap(), Some(others));
    assert_eq!(store.end_user_sessions(&u.id, NOW + 2 * MINUTE, &[]).await.unwrap(), 0);
    logged(&store, &[e]).await;
}

async fn session_token_single_use(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    let token = session_token(&u.id, NOW + 5 * MINUTE);
    let created = ev("user.authentication.auth_via_mfa", &u.id);
    store.create_session_token(&token, from_ref(&created)).await.unwrap();
    assert_eq!(store.consume_session_token(&token.token_hash, NOW + MINUTE).await.unwrap(), Some(token.clone()));
    assert_eq!(store.consume_session_token(&token.token_hash, NOW + MINUTE).await.unwrap(), None, "single use");
    assert_eq!(store.consume_session_token("unknown", NOW).await.unwrap(), None);

    let late = session_token(&u.id, NOW + 5 * MINUTE);
    store.create_session_token(&late, &[]).await.unwrap();
    assert_eq!(store.consume_session_token(&late.token_hash, NOW + 5 * MINUTE).await.unwrap(), None, "expired");
    assert_eq!(store.consume_session_token(&late.token_hash, NOW + 6 * MINUTE).await.unwrap(), None);
    logged(&store, &[created]).await;
}

async fn concurrent_session_token_redemption(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    let token = session_token(&u.id, NOW + 5 * MINUTE);
    store.create_session_token(&token, &[]).await.unwrap();
    let hash = Arc::new(token.token_hash.clone());
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let (store, hash) = (store.clone(), hash.clone());
            tokio::spawn(async move { store.consume_session_token(&hash, NOW).await.unwrap() })
        })
        .collect();
    let mut redeemed = Vec::new();
    for task in tasks {
        redeemed.extend(task.await.unwrap());
    }
    assert_eq!(redeemed, vec![token], "exactly one of 16 concurrent redemptions succeeds");
}
