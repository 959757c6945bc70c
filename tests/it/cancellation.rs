//! Requests abandoned by their clients at random points (mid-body, mid-handler) leave nothing
//! half-way, on both backends: every following request succeeds, every issued access token has
//! its System Log event and every event its token, the background purge still writes, and
//! Postgres has no session left `idle in transaction` (issue: sqlx 3932, 4385, 4393).

use crate::common;

use baton::domain::{AuthMethod, ConsentType};
use common::oauth::*;
use common::{Backend, TestServer};
use rand::Rng;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const SECRET: &str = "cancel-secret-0123456789abcdef";
const ABORTED: usize = 320;

/// One raw HTTP/1.1 request: a `client_credentials` grant or a password sign-in (Argon2 on the
/// blocking pool, so a slow handler with a write at its end).
fn request(kind: usize, client_id: &str) -> (String, String) {
    if kind.is_multiple_of(2) {
        let body = "grant_type=client_credentials".to_owned();
        let head = format!(
            "POST /oauth2/default/v1/token HTTP/1.1\r\nhost: x\r\nauthorization: {}\r\n\
             content-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n",
            basic(client_id, SECRET),
            body.len()
        );
        (head, body)
    } else {
        let body = format!(r#"{{"username":"{LOGIN}","password":"Streamward-Demo-2026!"}}"#);
        let head = format!(
            "POST /api/v1/authn HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        (head, body)
    }
}

/// Sends `head` and part or all of `body`, waits a little, and hangs up without reading.
async fn abandon(addr: SocketAddr, head: String, body: String, whole: bool, wait_us: u64) {
    let Ok(mut stream) = TcpStream::connect(addr).await else { return };
    let _ = stream.write_all(head.as_bytes()).await;
    let sent = if whole { body.len() } else { body.len() / 2 };
    let _ = stream.write_all(&body.as_bytes()[..sent]).await;
    tokio::time::sleep(Duration::from_micros(wait_us)).await;
    drop(stream);
}

/// Sends `head` with `Expect: 100-continue`, waits for the server's `100 Continue` (sent when
/// the handler starts reading the body, so the handler is running), sends `body` and hangs up
/// `wait_us` later without reading the answer.
async fn abandon_mid_handler(addr: SocketAddr, head: &str, body: &str, wait_us: u64) {
    use tokio::io::AsyncReadExt;
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = head.replacen("\r\n\r\n", "\r\nexpect: 100-continue\r\n\r\n", 1);
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 256];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk)).await.unwrap().unwrap();
        assert!(n > 0, "closed before 100 Continue");
        got.extend_from_slice(&chunk[..n]);
    }
    assert!(got.starts_with(b"HTTP/1.1 100"), "{}", String::from_utf8_lossy(&got));
    stream.write_all(body.as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_micros(wait_us)).await;
    drop(stream);
}

async fn successes(s: &TestServer) -> usize {
    s.events("user.session.start").await.iter().filter(|e| e["outcome"]["result"] == "SUCCESS").count()
}

async fn idle_in_transaction(url: &str) -> i64 {
    let pool = sqlx::PgPool::connect(url).await.unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;
    n
}

async fn abandoned_requests_leave_nothing_half_way(backend: Backend) {
    let Some(s) = seeded(backend).await else { return };
    add_scope(&s, "orders:read", true, ConsentType::Implicit).await;
    let service = app("Worker", AuthMethod::ClientSecretBasic, "service", &["client_credentials"], s.clock.now_ms());
    create_app(&s, &service, Some(SECRET)).await;
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();

    // Hundreds of requests abandoned at random points, 32 in flight at a time.
    let mut rng = rand::thread_rng();
    let mut plan: Vec<(usize, bool, u64)> =
        (0..ABORTED).map(|i| (i, rng.gen_bool(0.8), rng.gen_range(0..20_000))).collect();
    while !plan.is_empty() {
        let batch: Vec<_> = plan.drain(..plan.len().min(32)).collect();
        let tasks: Vec<_> = batch
            .into_iter()
            .map(|(i, whole, wait)| {
                let (head, body) = request(i, &service.client_id);
                tokio::spawn(abandon(addr, head, body, whole, wait))
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
    }

    // Every following request succeeds, promptly.
    let started = std::time::Instant::now();
    for i in 0..40 {
        let r = if i % 2 == 0 {
            s.post_form(
                "/oauth2/default/v1/token",
                &[("authorization", &basic(&service.client_id, SECRET))],
                &[("grant_type", "client_credentials")],
            )
            .await
        } else {
            let body = serde_json::json!({"username": LOGIN, "password": "Streamward-Demo-2026!"});
            Reply::from(s.http.post(s.url("/api/v1/authn")).json(&body).send().await.unwrap()).await
        };
        assert_eq!(r.status, 200, "request {i} after the aborts: {}", r.text);
    }
    assert!(started.elapsed() < Duration::from_secs(30), "slow after the aborts: {:?}", started.elapsed());
    s.state.store.purge_expired(s.clock.now_ms()).await.expect("the background purge still writes");

    // Nothing half-written: a request cut mid-body is refused as such and logged, nothing else
    // is refused, and each access token event names a stored token.
    let refused: Vec<String> = s
        .events("app.oauth2.as.token.grant")
        .await
        .iter()
        .filter(|e| e["outcome"]["result"] == "FAILURE")
        .map(|e| e["debugContext"]["debugData"]["error"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(refused.iter().all(|r| r == "invalid_request_body"), "grants refused: {refused:?}");
    let events = s.events("app.oauth2.as.token.grant.access_token").await;
    assert!(events.len() >= 20, "{} token events", events.len());
    for e in &events {
        let jti = e["debugContext"]["debugData"]["jti"].as_str().unwrap();
        assert!(s.state.store.find_access_token(jti).await.unwrap().is_some(), "event without its token: {jti}");
    }

    if backend == Backend::Postgres {
        // Handlers of abandoned requests may still be finishing; none may stay in a transaction.
        let mut left = idle_in_transaction(&s.db.url).await;
        for _ in 0..50 {
            if left == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
            left = idle_in_transaction(&s.db.url).await;
        }
        assert_eq!(left, 0, "sessions left idle in transaction");
    }
}

/// A sign-in whose client hangs up while the password is being checked still finishes: its
/// `sessionToken` and `user.session.start` event are written although nobody reads the answer
/// (the handler is not cancelled half-way between the check and the write).
async fn work_of_a_vanished_client_is_finished(backend: Backend) {
    const N: usize = 12;
    let Some(s) = seeded(backend).await else { return };
    let addr: SocketAddr = s.base.trim_start_matches("http://").parse().unwrap();
    for _ in 0..N {
        let (head, body) = request(1, "unused");
        // The handler has its body and is inside the Argon2 check (tens of milliseconds).
        abandon_mid_handler(addr, &head, &body, 2_000).await;
    }
    let mut done = successes(&s).await;
    for _ in 0..100 {
        if done >= N {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        done = successes(&s).await;
    }
    assert_eq!(done, N, "sign-ins finished after their clients left");
}

backend_tests!(abandoned_requests_leave_nothing_half_way, work_of_a_vanished_client_is_finished);
