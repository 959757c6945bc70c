//! Postgres over TLS, as managed Postgres services require it: a cluster of this test's own
//! serves only TLS connections (`hostssl` in `pg_hba.conf`, plain `host` rejected), with a server
//! certificate from a CA of baton's own making (`tls::LocalCa`). baton's store connects and
//! migrates with `sslmode=verify-full` and that CA as `sslrootcert`; without TLS, and with
//! `verify-full` against another CA, it is refused with an error that says why.

use crate::common::free_port;
use crate::common::pg::{pg_bin, run_pg, unavailable};
use baton::store::SqlStore;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

struct Cluster {
    pg_ctl: std::path::PathBuf,
    data: std::path::PathBuf,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = run_pg(&self.pg_ctl, &["-D", self.data.to_str().unwrap(), "-m", "immediate", "stop"]);
    }
}

/// Starts a TLS-only cluster on `port` with `cert`/`key`; `None` when Postgres is unavailable.
fn tls_cluster(dir: &Path, port: u16, cert: &Path, key: &Path) -> Option<Cluster> {
    let (Some(initdb), Some(pg_ctl)) = (pg_bin("initdb"), pg_bin("pg_ctl")) else {
        unavailable("no initdb/pg_ctl found");
        return None;
    };
    let data = dir.join("data");
    let as_root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if as_root {
        Command::new("chown").args(["-R", "postgres:postgres"]).arg(dir).status().unwrap();
    }
    let out = run_pg(&initdb, &["-D", data.to_str()?, "-U", "postgres", "-A", "trust", "--no-sync"]).unwrap();
    assert!(out.status.success(), "initdb: {}", String::from_utf8_lossy(&out.stderr));
    // The server's key must be its own and private (Postgres refuses a group-readable one).
    for (from, to) in [(cert, "server.crt"), (key, "server.key")] {
        std::fs::copy(from, data.join(to)).unwrap();
    }
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n",
    )
    .unwrap();
    if as_root {
        Command::new("chown").args(["-R", "postgres:postgres"]).arg(&data).status().unwrap();
    }
    Command::new("chmod").arg("600").arg(data.join("server.key")).status().unwrap();
    let opts = format!("-p {port} -c listen_addresses=127.0.0.1 -k {} -c fsync=off -c ssl=on", dir.display());
    let log = dir.join("postgres.log");
    let out = run_pg(&pg_ctl, &["-D", data.to_str()?, "-o", &opts, "-l", log.to_str()?, "-w", "start"]).unwrap();
    assert!(out.status.success(), "pg_ctl start: {}", std::fs::read_to_string(&log).unwrap_or_default());
    Some(Cluster { pg_ctl, data })
}

#[tokio::test]
async fn the_store_connects_to_postgres_over_verified_tls() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let now = SystemTime::now();
    let ca = baton::tls::LocalCa::ensure(&dir.path().join("ca"), "localhost", now).unwrap();
    let other = baton::tls::LocalCa::ensure(&dir.path().join("other-ca"), "localhost", now).unwrap();
    let port = free_port();
    let pg_dir = dir.path().join("pg");
    std::fs::create_dir(&pg_dir).unwrap();
    let Some(_cluster) = tls_cluster(&pg_dir, port, &ca.server_cert, &ca.server_key) else { return };
    let url = |params: &str| format!("postgres://postgres@localhost:{port}/postgres?{params}");

    // verify-full with the server's CA: connected, migrated, and the connection is TLS.
    let verified = url(&format!("sslmode=verify-full&sslrootcert={}", ca.ca_cert.display()));
    let store = SqlStore::connect(&verified).await.expect("connect with verify-full");
    store.migrate().await.expect("migrate over TLS");
    store.close().await;
    let mut conn: sqlx::PgConnection = sqlx::Connection::connect(&verified).await.unwrap();
    let (ssl,): (bool,) =
        sqlx::query_as("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetch_one(&mut conn).await.unwrap();
    assert!(ssl, "the connection is encrypted");

    // `require` encrypts without checking the chain; `verify-ca` checks it.
    let required = SqlStore::connect(&url("sslmode=require")).await.expect("connect with require");
    required.close().await;
    let ca_only = url(&format!("sslmode=verify-ca&sslrootcert={}", ca.ca_cert.display()));
    SqlStore::connect(&ca_only).await.expect("connect with verify-ca").close().await;

    // Without TLS the server refuses (pg_hba.conf), and the error says so.
    let plain = SqlStore::connect(&url("sslmode=disable")).await.err().expect("plain connection refused");
    assert!(plain.to_string().contains("pg_hba.conf"), "{plain}");
    // A certificate from another CA is not trusted.
    let wrong = url(&format!("sslmode=verify-full&sslrootcert={}", other.ca_cert.display()));
    let untrusted = SqlStore::connect(&wrong).await.err().expect("untrusted certificate refused");
    assert!(untrusted.to_string().to_lowercase().contains("certificate"), "{untrusted}");
}
