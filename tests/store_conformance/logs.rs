//! `LogStore` (every `LogQuery` filter, paging by sequence), failed writes leaving no event,
//! and the `Store` methods themselves: `backend`, `ping`, `purge_expired`.

use crate::fixtures::{
    access_token, app, auth_server, client_key, code, consent_request, ev, family, group, open, refresh_token, scope,
    session, session_token, signing_key, user, HOUR, MINUTE, NOW,
};
use crate::Backend;
use baton::audit::{Actor, Context, Event, Target};
use baton::domain::{LogRecord, RefreshFamily, Session, SigningKeyStatus};
use baton::store::{CodeUse, DynStore, Issuance, LogQuery, StoreError};
use std::slice::from_ref;

crate::backend_tests!(
    list_events_filters,
    paging_visits_every_event_in_either_order,
    failed_writes_leave_no_event,
    store_backend_and_ping,
    purge_expired
);

/// Runs `q`, with a limit of 100 when it sets none.
async fn query(store: &DynStore, q: LogQuery) -> Vec<(i64, LogRecord)> {
    store.list_events(&LogQuery { limit: if q.limit == 0 { 100 } else { q.limit }, ..q }).await.unwrap()
}

fn records(rows: &[(i64, LogRecord)]) -> Vec<LogRecord> {
    rows.iter().map(|(_, r)| r.clone()).collect()
}

async fn list_events_filters(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let web = Actor::new("00uada", "User", "ada@example.com", "Ada");
    let client = Target::new("0oaapp", "AppInstance", "App", "App");
    let shared = Context::system();
    let e1 = Event::new("user.session.start", "Sign in", web.clone()).target(client.clone()).build(&shared, NOW);
    let e2 = Event::new("app.oauth2.as.token.grant", "Token", Actor::new("0oaapp", "PublicClientApp", "App", "App"))
        .target(Target::new("default", "AuthorizationServer", "default", "default"))
        .target(Target::new("00uada", "User", "ada@example.com", "Ada"))
        .client("0oaapp")
        .failure("invalid_grant")
        .build(&Context::system(), NOW + 1);
    let e3 = Event::new("user.session.start", "Sign in", Actor::new("00ugrace", "User", "grace@x", "Grace"))
        .target(client)
        .debug("behaviors", "{New IP=POSITIVE}")
        .build(&shared, NOW + 2);
    let e4 = Event::new("user.lifecycle.create", "Create user", Actor::system())
        .target(Target::new("00ugrace", "User", "grace@x", "Grace"))
        .build(&Context::system(), NOW + 3);
    store.append_events(&[e1.clone(), e2.clone()]).await.unwrap();
    store.append_events(from_ref(&e3)).await.unwrap();
    store.append_events(&[]).await.unwrap();
    store.append_events(from_ref(&e4)).await.unwrap();

    // Everything, oldest first, exactly as written (targets in their own order).
    let all = query(&store, LogQuery::default()).await;
    assert_eq!(records(&all), [e1.clone(), e2.clone(), e3.clone(), e4.clone()]);
    let seqs: Vec<i64> = all.iter().map(|(s, _)| *s).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "sequence numbers grow: {seqs:?}");

    let only = |q: LogQuery| {
        let store = store.clone();
        async move { records(&query(&store, q).await) }
    };
    let by_type = LogQuery { event_type: Some("user.session.start".into()), ..LogQuery::default() };
    assert_eq!(only(by_type).await, [e1.clone(), e3.clone()]);
    let by_tx = LogQuery { transaction_id: Some(shared.transaction_id.clone()), ..LogQuery::default() };
    assert_eq!(only(by_tx).await, [e1.clone(), e3.clone()]);
    let by_actor = LogQuery { actor_id: Some("00uada".into()), ..LogQuery::default() };
    assert_eq!(only(by_actor).await, from_ref(&e1));
    let by_target = LogQuery { target_id: Some("00uada".into()), ..LogQuery::default() };
    assert_eq!(only(by_target).await, from_ref(&e2), "any of an event's targets matches");
    let by_app = LogQuery { target_id: Some("0oaapp".into()), ..LogQuery::default() };
    assert_eq!(only(by_app).await, [e1.clone(), e3.clone()]);
    let failures = LogQuery { outcome_result: Some("FAILURE".into()), ..LogQuery::default() };
    assert_eq!(only(failures).await, from_ref(&e2));
    let successes = LogQuery { outcome_result: Some("SUCCESS".into()), ..LogQuery::default() };
    assert_eq!(only(successes).await.len(), 3);
    let nothing = LogQuery { actor_id: Some("nobody".into()), ..LogQuery::default() };
    assert!(only(nothing).await.is_empty());

    // since is inclusive, until exclusive.
    assert_eq!(
        only(LogQuery { since: Some(NOW + 1), ..LogQuery::default() }).await,
        [e2.clone(), e3.clone(), e4.clone()]
    );
    assert_eq!(only(LogQuery { until: Some(NOW + 2), ..LogQuery::default() }).await, [e1.clone(), e2.clone()]);
    let window = LogQuery { since: Some(NOW + 1), until: Some(NOW + 3), ..LogQuery::default() };
    assert_eq!(only(window).await, [e2.clone(), e3.clone()]);
    let combined =
        LogQuery { event_type: Some("user.session.start".into()), since: Some(NOW + 1), ..LogQuery::default() };
    assert_eq!(only(combined).await, from_ref(&e3));

    // Paging by sequence, in either direction, with a limit.
    assert_eq!(only(LogQuery { after_seq: Some(seqs[1]), ..LogQuery::default() }).await, [e3.clone(), e4.clone()]);
    assert_eq!(only(LogQuery { limit: 2, ..LogQuery::default() }).await, [e1.clone(), e2.clone()]);
    let newest_first = LogQuery { descending: true, ..LogQuery::default() };
    assert_eq!(only(newest_first).await, [e4.clone(), e3.clone(), e2.clone(), e1.clone()]);
    let older = LogQuery { descending: true, after_seq: Some(seqs[2]), ..LogQuery::default() };
    assert_eq!(only(older).await, [e2.clone(), e1.clone()]);
    assert_eq!(only(LogQuery { descending: true, limit: 1, ..LogQuery::default() }).await, from_ref(&e4));
    let page = query(&store, LogQuery { limit: 2, after_seq: Some(seqs[0]), ..LogQuery::default() }).await;
    assert_eq!(page, all[1..3]);
    let filtered_page = LogQuery {
        event_type: Some("user.session.start".into()),
        after_seq: Some(seqs[0]),
        limit: 1,
        ..LogQuery::default()
    };
    assert_eq!(only(filtered_page).await, [e3]);
    assert!(only(LogQuery { after_seq: Some(seqs[3]), ..LogQuery::default() }).await.is_empty());
}

/// Every kind of failed write, each carrying an event: none of the events may be stored.
/// Events are stored in commit order, but `published` is taken earlier (and the clock can be
/// set), so `published` may fall while `seq` grows. Paging one event at a time must still visit
/// every event exactly once, in `published` order and in storage order, both directions.
async fn paging_visits_every_event_in_either_order(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let published = [NOW + 30, NOW + 10, NOW + 20, NOW + 10, NOW];
    for (i, at) in published.iter().enumerate() {
        let e = Event::new("user.session.start", &format!("event {i}"), Actor::system()).build(&Context::system(), *at);
        store.append_events(from_ref(&e)).await.unwrap();
    }
    for (storage_order, descending) in [(false, false), (false, true), (true, false), (true, true)] {
        let mut seen: Vec<(i64, i64)> = Vec::new();
        let mut after_seq = None;
        loop {
            let q = LogQuery { after_seq, storage_order, descending, limit: 1, ..LogQuery::default() };
            let page = store.list_events(&q).await.unwrap();
            let Some((seq, record)) = page.first() else { break };
            seen.push((record.published, *seq));
            after_seq = Some(*seq);
            assert!(seen.len() <= published.len(), "paging loops: {seen:?}");
        }
        let mut expected = seen.clone();
        expected.sort_by_key(|(p, s)| if storage_order { (0, *s) } else { (*p, *s) });
        if descending {
            expected.reverse();
        }
        assert_eq!(seen.len(), published.len(), "storage_order={storage_order} descending={descending}: {seen:?}");
        assert_eq!(seen, expected, "storage_order={storage_order} descending={descending}");
    }
}

async fn failed_writes_leave_no_event(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    let g = group("Team");
    let a = app("0oaapp");
    let server = auth_server("mcp");
    let read = scope(&server.id, "read", NOW);
    let key = signing_key("00oorg", SigningKeyStatus::Active, NOW);
    let ck = client_key(&a.client_id, "k1", NOW);
    store.create_user(&u, &[], &[]).await.unwrap();
    store.create_group(&g, &[]).await.unwrap();
    store.create_app(&a, &[], &[]).await.unwrap();
    store.create_auth_server(&server, from_ref(&read), &[], &[]).await.unwrap();
    store.create_signing_key(&key, &[]).await.unwrap();
    store.create_client_key(&ck, &[]).await.unwrap();
    let before = query(&store, LogQuery::default()).await;
    assert!(before.is_empty());

    let e = || ev("test.rejected", "x");
    let mut results: Vec<Result<(), StoreError>> = vec![
        store.create_user(&user("ADA@example.com"), &[], &[e()]).await,
        store.create_user(&user("new@example.com"), &["00gmissing".into()], &[e()]).await,
        store.create_group(&group("Team"), &[e()]).await,
        store.create_app(&app("0oaapp"), &[], &[e()]).await,
        store.create_auth_server(&server, &[], &[], &[e()]).await,
        store.create_scope(&scope(&server.id, "read", NOW), &[e()]).await,
        store.create_signing_key(&key, &[e()]).await,
        store.create_client_key(&ck, &[e()]).await,
    ];
    // A batch of events is atomic too: a duplicate uuid rejects the whole batch.
    let first = ev("test.batch", "x");
    results.push(store.append_events(&[first.clone(), first.clone()]).await);
    for (i, result) in results.iter().enumerate() {
        assert!(result.is_err(), "write {i} should have failed");
    }
    assert!(query(&store, LogQuery::default()).await.is_empty(), "a failed write left an event behind");

    // A failed write after a successful one leaves only the successful one's event.
    let ok = ev("group.lifecycle.create", "ok");
    store.create_group(&group("Other"), from_ref(&ok)).await.unwrap();
    assert!(store.create_group(&group("Other"), &[ev("test.rejected", "y")]).await.is_err());
    assert_eq!(records(&query(&store, LogQuery::default()).await), [ok]);
}

async fn store_backend_and_ping(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(store.backend(), expected);
    store.ping().await.unwrap();
}

async fn purge_expired(backend: Backend) {
    let Some((_db, store)) = open(backend).await else { return };
    let u = user("ada@example.com");
    store.create_user(&u, &[], &[]).await.unwrap();
    let (past, future) = (NOW - MINUTE, NOW + HOUR);

    let (dead_code, live_code) = (code(&u.id, past), code(&u.id, future));
    let (dead_token, live_token) = (session_token(&u.id, past), session_token(&u.id, future));
    let dead_session = Session { expires: past, ..session(&u.id) };
    let live_session = session(&u.id);
    let (dead_at, live_at) = (access_token(None, past), access_token(None, future));
    let (dead_req, live_req) = (consent_request(&u.id, NOW - HOUR, past), consent_request(&u.id, NOW, future));
    let expired_family = RefreshFamily { expires: Some(past), ..family(&u.id, None) };
    let idle_family = RefreshFamily { last_used: NOW - 2 * HOUR, idle_window_ms: HOUR, ..family(&u.id, None) };
    let live_family =
        RefreshFamily { expires: Some(future), last_used: NOW - MINUTE, idle_window_ms: HOUR, ..family(&u.id, None) };
    for c in [&dead_code, &live_code] {
        store.create_code(c, &[]).await.unwrap();
    }
    for t in [&dead_token, &live_token] {
        store.create_session_token(t, &[]).await.unwrap();
    }
    for s in [&dead_session, &live_session] {
        store.create_session(s, &[]).await.unwrap();
    }
    for r in [&dead_req, &live_req] {
        store.create_consent_request(r, &[]).await.unwrap();
    }
    let mut family_tokens = Vec::new();
    for f in [&expired_family, &idle_family, &live_family] {
        let rt = refresh_token(&f.id, NOW - 3 * HOUR);
        store
            .record_issuance(&Issuance { new_family: Some(f), refresh_token: Some(&rt), ..Issuance::default() }, &[])
            .await
            .unwrap();
        family_tokens.push(rt.token_hash);
    }
    for at in [&dead_at, &live_at] {
        store.record_issuance(&Issuance { access_token: Some(at), ..Issuance::default() }, &[]).await.unwrap();
    }
    assert!(store.consume_jti("client_assertion", "dead", past).await.unwrap());
    assert!(store.consume_jti("client_assertion", "live", future).await.unwrap());

    // code, session token, session, jti, access token, consent request, two families.
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 8);

    // Gone: asked about at an earlier time, they would still have been found.
    assert_eq!(store.consume_code(&dead_code.code_hash, past - 1).await.unwrap(), CodeUse::Invalid);
    assert_eq!(store.consume_session_token(&dead_token.token_hash, past - 1).await.unwrap(), None);
    assert_eq!(store.find_session(&dead_session.id).await.unwrap(), None);
    assert!(store.consume_jti("client_assertion", "dead", future).await.unwrap(), "a purged jti is forgotten");
    assert_eq!(store.find_access_token(&dead_at.jti).await.unwrap(), None);
    assert_eq!(store.find_consent_request(&dead_req.id).await.unwrap(), None);
    assert_eq!(store.find_refresh_token(&family_tokens[0]).await.unwrap(), None);
    assert_eq!(store.find_refresh_token(&family_tokens[1]).await.unwrap(), None);
    // Kept.
    assert!(matches!(store.consume_code(&live_code.code_hash, NOW).await.unwrap(), CodeUse::Fresh(_)));
    assert_eq!(store.consume_session_token(&live_token.token_hash, NOW).await.unwrap(), Some(live_token));
    assert_eq!(store.find_session(&live_session.id).await.unwrap(), Some(live_session));
    assert!(!store.consume_jti("client_assertion", "live", future).await.unwrap());
    assert_eq!(store.find_access_token(&live_at.jti).await.unwrap(), Some(live_at));
    assert_eq!(store.find_consent_request(&live_req.id).await.unwrap(), Some(live_req));
    assert_eq!(store.find_refresh_token(&family_tokens[2]).await.unwrap().unwrap().1, live_family);
    // Nothing left to purge at the same instant.
    assert_eq!(store.purge_expired(NOW).await.unwrap(), 0);
}
