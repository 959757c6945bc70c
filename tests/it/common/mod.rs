//! Test harness: a fresh database per test on either backend, the real router bound to
//! 127.0.0.1:0, a settable clock, and a reqwest client. `backend_tests!` runs one async test
//! body against SQLite and Postgres.

#![allow(dead_code)]

pub mod api;
pub mod oauth;
pub mod pg;

use baton::clock::Clock;
use baton::config::Config;
use baton::state::AppState;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A TCP port free on 127.0.0.1 when asked (for a `baton serve --listen` the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A child process (a `baton serve` the test started) killed and reaped when dropped, also
/// when the test panics.
pub struct Process(pub std::process::Child);

impl std::ops::Deref for Process {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Process {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fresh database; its files (SQLite) live as long as this value.
pub struct TestDb {
    pub url: String,
    pub backend: Backend,
    dir: tempfile::TempDir,
}

impl TestDb {
    /// None when Postgres is unavailable outside CI (the test is skipped).
    pub async fn new(backend: Backend) -> Option<Self> {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}/baton.db", dir.path().display()),
            Backend::Postgres => pg::fresh_database().await?,
        };
        Some(Self { url, backend, dir })
    }

    pub fn keys_dir(&self) -> PathBuf {
        self.dir.path().join("keys")
    }
}

/// A running baton on its own database, served on 127.0.0.1:<random port>.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub clock: Clock,
    pub http: reqwest::Client,
    pub db: TestDb,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, |_| {}).await
    }

    /// Starts with a configuration adjusted by `tweak` (seed file, admin token, …).
    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Option<Self> {
        let db = TestDb::new(backend).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let mut config = Config::for_tests(&base, &db.url, &db.keys_dir());
        tweak(&mut config);
        let clock = Clock::default();
        let state = baton::server::prepare(config, clock.clone()).await.expect("prepare baton");
        let app = baton::http::app(state.clone()).into_make_service_with_connect_info::<std::net::SocketAddr>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        Some(Self { base, state, clock, http, db, task })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        (status, r.json().await.expect("JSON body"))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// For each named `async fn name(backend: Backend)`, a module `name` with `sqlite` and
/// `postgres` tests.
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    super::$name($crate::common::Backend::Sqlite).await;
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    super::$name($crate::common::Backend::Postgres).await;
                }
            }
        )*
    };
}
