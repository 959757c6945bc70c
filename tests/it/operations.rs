//! Running the real `baton serve` as an operator would: the address is bound before start-up
//! and answers 503 until ready; an unreachable database is retried and named with its cause;
//! a client stalled mid-body cannot hold shutdown open past the drain deadline; a client that
//! never finishes its headers is disconnected; each subcommand's `--help` lists its own flags.

use crate::common::{free_port, Process};
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Server {
    child: Process,
    base: String,
    port: u16,
}

impl Server {
    fn start(dir: &Path, database_url: &str, env: &[(&str, &str)]) -> Self {
        let port = free_port();
        let stderr = std::fs::File::create(dir.join("stderr.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_baton"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("DATABASE_URL", database_url)
            .env("BATON_KEYS_DIR", dir.join("keys"))
            .envs(env.iter().copied())
            .env_remove("BATON_ISSUER")
            .env_remove("BATON_KEY_ENCRYPTION_KEY")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .unwrap();
        Self { child: Process(child), base: format!("http://127.0.0.1:{port}"), port }
    }

    async fn wait_for(&self, path: &str, status: u16) {
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if http.get(format!("{}{path}", self.base)).send().await.is_ok_and(|r| r.status() == status) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path} never answered {status}");
    }

    fn terminate(&self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit; how long that took.
    fn exited_within(&mut self, limit: Duration) -> Duration {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("baton was still running {limit:?} after SIGTERM");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starting_answers_503_and_names_the_unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    let closed = free_port();
    let mut s = Server::start(dir.path(), &format!("postgres://baton@127.0.0.1:{closed}/baton"), &[]);
    // Bound at once, alive, not ready, and saying so on every route.
    s.wait_for("/healthz", 200).await;
    let http = reqwest::Client::new();
    let r = http.get(format!("{}/readyz", s.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.text().await.unwrap()), (503, r#"{"status":"starting"}"#.to_owned()));
    let r = http.post(format!("{}/oauth2/v1/token", s.base)).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.headers()["retry-after"].to_str().unwrap()), (503, "1"));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // The log names the server and the cause, not a pool timeout.
    let log = dir.path().join("stderr.log");
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&log).unwrap();
        if text.contains("not reachable yet") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(text.contains(&format!("Postgres at 127.0.0.1:{closed}")) && text.contains("Connection refused"), "{text}");
    assert!(!text.contains("timed out"), "{text}");
    s.terminate();
    s.exited_within(Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_client_cannot_hold_shutdown_open() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/baton.db", dir.path().display());
    let mut s = Server::start(dir.path(), &url, &[("BATON_SHUTDOWN_GRACE_SECONDS", "1")]);
    s.wait_for("/readyz", 200).await;
    let mut stalled = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    stalled
        .write_all(
            b"POST /oauth2/v1/token HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 1000\r\n\r\ngrant_type=",
        )
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.terminate();
    // The drain deadline (1 s), not the 30 s body timeout, ends it.
    let took = s.exited_within(Duration::from_secs(6));
    assert!(took >= Duration::from_millis(900), "exited after {took:?}, before the deadline");
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    assert!(log.contains("drain deadline passed"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/baton.db", dir.path().display());
    let s = Server::start(dir.path(), &url, &[]);
    s.wait_for("/readyz", 200).await;
    let started = Instant::now();
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: loc").unwrap();
    let mut answer = Vec::new();
    // EOF (or a reset) once the header read timeout passes; a read timeout would fail here.
    let _ = slow.read_to_end(&mut answer);
    let took = started.elapsed();
    assert!(took >= Duration::from_secs(9) && took < Duration::from_secs(15), "closed after {took:?}");
    assert!(!String::from_utf8_lossy(&answer).contains("200 OK"));
}

#[test]
fn each_subcommand_lists_only_its_own_flags() {
    let help = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_baton")).args(args).arg("--help").output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let serve = help(&["serve"]);
    for flag in ["--listen", "--tls", "--dev", "--metrics-listen", "--otlp-endpoint", "--shutdown-grace-seconds"] {
        assert!(serve.contains(flag), "serve --help lacks {flag}");
    }
    let migrate = help(&["migrate"]);
    assert!(migrate.contains("--database-url"));
    for (command, text) in [("migrate", migrate), ("seed", help(&["seed"])), ("keys rotate", help(&["keys", "rotate"]))]
    {
        for flag in ["--listen", "--tls", "--dev", "--cors-origins", "--metrics-listen", "--lockout-attempts"] {
            assert!(!text.contains(flag), "{command} --help lists {flag}:\n{text}");
        }
    }
    assert!(help(&["seed"]).contains("--issuer") && help(&["api-tokens", "create"]).contains("--keys-dir"));
}
