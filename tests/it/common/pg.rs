//! Postgres for tests: `DATABASE_URL` when set, otherwise a throwaway cluster this harness
//! creates with `initdb` and starts with `pg_ctl` on a free port (as the `postgres` user when
//! running as root). The cluster lives under the system temp dir and is shared by every test
//! process of the machine; stop it with `pg_ctl -D $TMPDIR/baton-test-pg/data stop`.
//! Under `CI=true` a missing Postgres is a failure, never a skip.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::OnceCell;

static ADMIN_URL: OnceCell<Option<String>> = OnceCell::const_new();
static TEMPLATE: OnceCell<Option<String>> = OnceCell::const_new();
static COUNTER: AtomicU32 = AtomicU32::new(0);

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Unavailable Postgres: skip locally (with a message), fail under CI.
pub fn unavailable(why: &str) -> Option<String> {
    assert!(!in_ci(), "CI=true but Postgres is unavailable: {why}");
    eprintln!("skipping Postgres tests: {why}");
    None
}

/// A URL for a fresh, migrated database of its own.
pub async fn fresh_database() -> Option<String> {
    let admin = ADMIN_URL.get_or_init(admin_url).await.clone()?;
    let template = TEMPLATE.get_or_init(|| make_template(admin.clone())).await.clone()?;
    let name = format!("baton_t_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst));
    let mut conn = connect(&admin).await;
    sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    Some(with_database(&admin, &name))
}

async fn connect(url: &str) -> sqlx::PgConnection {
    use sqlx::Connection;
    sqlx::PgConnection::connect(url).await.expect("connect to the test Postgres")
}

fn with_database(url: &str, db: &str) -> String {
    let mut u = url::Url::parse(url).expect("DATABASE_URL is a URL");
    u.set_path(&format!("/{db}"));
    u.to_string()
}

/// One migrated template per test process; fresh databases are copies of it, which is much
/// faster than migrating each. Leftovers of dead processes are dropped first.
async fn make_template(admin: String) -> Option<String> {
    let mut conn = connect(&admin).await;
    let names: Vec<(String,)> = sqlx::query_as("SELECT datname FROM pg_database WHERE datname LIKE 'baton\\_t%'")
        .fetch_all(&mut conn)
        .await
        .ok()?;
    for (name,) in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| !Path::new(&format!("/proc/{p}")).exists()) {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn).await;
        }
    }
    let template = format!("baton_tpl_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {template}")).execute(&mut conn).await.ok()?;
    sqlx::query(&format!("CREATE DATABASE {template}")).execute(&mut conn).await.expect("create template");
    let store = baton::store::SqlStore::connect(&with_database(&admin, &template)).await.expect("connect template");
    store.migrate().await.expect("migrate template");
    store.close().await;
    Some(template)
}

async fn admin_url() -> Option<String> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if url.starts_with("postgres") {
            return Some(url);
        }
    }
    tokio::task::spawn_blocking(start_cluster).await.expect("cluster start task")
}

pub fn pg_bin(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path().join("bin")).collect())
        .unwrap_or_default();
    dirs.sort();
    dirs.reverse();
    let path_dirs = std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect::<Vec<_>>()).unwrap_or_default();
    path_dirs.into_iter().chain(dirs).map(|d| d.join(name)).find(|p| p.is_file())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a Postgres tool, as the `postgres` user when we are root (initdb refuses root).
pub fn run_pg(tool: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    if is_root() {
        Command::new("runuser").args(["-u", "postgres", "--"]).arg(tool).args(args).output()
    } else {
        Command::new(tool).args(args).output()
    }
}

fn start_cluster() -> Option<String> {
    let (Some(initdb), Some(pg_ctl)) = (pg_bin("initdb"), pg_bin("pg_ctl")) else {
        return unavailable("no DATABASE_URL and no initdb/pg_ctl found");
    };
    let root = std::env::temp_dir().join("baton-test-pg");
    std::fs::create_dir_all(&root).ok()?;
    if is_root() {
        let _ = Command::new("chown").args(["postgres:postgres"]).arg(&root).status();
    }
    // Serialise cluster creation across test processes.
    let lock = std::fs::File::create(root.with_extension("lock")).ok()?;
    lock.lock().ok()?;
    let data = root.join("data");
    let port_file = root.join("port");
    let port: u16 = match std::fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse().ok()) {
        Some(p) if data.join("PG_VERSION").exists() => p,
        _ => {
            let port = std::net::TcpListener::bind("127.0.0.1:0").ok()?.local_addr().ok()?.port();
            let out =
                run_pg(&initdb, &["-D", data.to_str()?, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
                    .ok()?;
            if !out.status.success() {
                return unavailable(&format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr)));
            }
            run_pg(Path::new("sh"), &["-c", &format!("echo {port} > {}", port_file.display())]).ok()?;
            port
        }
    };
    let status = run_pg(&pg_ctl, &["-D", data.to_str()?, "status"]).ok()?;
    if !status.status.success() {
        let opts = format!(
            "-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c max_connections=300",
            root.display()
        );
        let log = root.join("postgres.log");
        let out = run_pg(&pg_ctl, &["-D", data.to_str()?, "-o", &opts, "-l", log.to_str()?, "-w", "start"]).ok()?;
        if !out.status.success() {
            return unavailable(&format!("pg_ctl start failed: {}", String::from_utf8_lossy(&out.stderr)));
        }
    }
    Some(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}
