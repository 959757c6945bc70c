//! `baton serve --tls` with the real binary: baton creates a local CA under `keys/tls/`, prints
//! where it is, and serves discovery over HTTPS to a client that trusts only that CA; a client
//! without it fails the handshake; a restart reuses the CA; an http:// issuer is refused.

use crate::common;
use crate::common::free_port;

use common::{Backend, TestDb};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

const DISCOVERY: &str = "/oauth2/aus1JGp4q34ckplLYGbL/.well-known/openid-configuration";

use crate::common::Process as Baton;

fn baton(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env("BATON_KEYS_DIR", db.keys_dir())
        .env("BATON_LOG", "warn")
        .env_remove("BATON_KEY_ENCRYPTION_KEY")
        .env_remove("BATON_ISSUER")
        .env_remove("BATON_LISTEN")
        .env_remove("BATON_TLS")
        .env_remove("BATON_TLS_CERT")
        .env_remove("BATON_TLS_KEY")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// Starts `serve --tls` with a `https://localhost:<port>` issuer; returns the process, the
/// port and the line it printed about the CA.
fn serve_tls(db: &TestDb) -> (Baton, u16, String) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let issuer = format!("https://localhost:{port}");
    let mut child =
        baton(db, &["serve", "--tls", "--listen", &listen, "--issuer", &issuer, "--seed", "examples/streamward.yaml"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn baton");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    (Baton(child), port, line.trim_end().to_owned())
}

fn trusting(ca_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(ca_pem).unwrap())
        .build()
        .unwrap()
}

async fn wait_for(client: &reqwest::Client, url: &str) -> serde_json::Value {
    for _ in 0..600 {
        // 503 while start-up (migrations, seed) runs behind the bound address.
        if let Ok(r) =
            client.get(url).send().await.map_err(drop).and_then(|r| if r.status() == 503 { Err(()) } else { Ok(r) })
        {
            assert_eq!(r.status(), 200, "{url}");
            return r.json().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("baton did not answer {url} over https");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_https_with_a_local_ca_that_clients_can_trust() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let (first, port, line) = serve_tls(&db);
    let ca_path = db.keys_dir().join("tls").join("ca.pem");
    assert_eq!(line, format!("TLS: trust the local CA at {} (SSL_CERT_FILE / NODE_EXTRA_CA_CERTS)", ca_path.display()));
    let ca = std::fs::read(&ca_path).unwrap();
    let client = trusting(&ca);
    let doc = wait_for(&client, &format!("https://localhost:{port}{DISCOVERY}")).await;
    assert_eq!(doc["issuer"], format!("https://localhost:{port}/oauth2/aus1JGp4q34ckplLYGbL"));
    assert_eq!(doc["jwks_uri"], format!("https://localhost:{port}/oauth2/aus1JGp4q34ckplLYGbL/v1/keys"));
    // The certificate also covers 127.0.0.1.
    let r = client.get(format!("https://127.0.0.1:{port}/.well-known/openid-configuration")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    // Plain http on the TLS port is not served.
    assert!(reqwest::get(format!("http://127.0.0.1:{port}{DISCOVERY}")).await.is_err());

    // A client that does not trust the CA fails the handshake.
    let untrusting = reqwest::Client::builder().tls_built_in_root_certs(true).build().unwrap();
    let err = untrusting.get(format!("https://localhost:{port}{DISCOVERY}")).send().await.unwrap_err();
    assert!(err.is_connect(), "{err:?}");

    // Private keys are the owner's only.
    #[cfg(unix)]
    for name in ["ca-key.pem", "server-key.pem"] {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(db.keys_dir().join("tls").join(name)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }

    // A restart reuses the CA (and the certificate: same issuer host), so clients keep trusting it.
    drop(first);
    let server_cert = std::fs::read(db.keys_dir().join("tls").join("server.pem")).unwrap();
    let (_second, port, _) = serve_tls(&db);
    assert_eq!(std::fs::read(&ca_path).unwrap(), ca);
    assert_eq!(std::fs::read(db.keys_dir().join("tls").join("server.pem")).unwrap(), server_cert);
    wait_for(&client, &format!("https://localhost:{port}{DISCOVERY}")).await;
}

#[tokio::test]
async fn tls_settings_are_checked() {
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    for (args, message) in [
        (
            &["serve", "--tls", "--issuer", "http://localhost:8443"][..],
            "tls (BATON_TLS) is on but the issuer \"http://localhost:8443\" is http://",
        ),
        (
            &["serve", "--tls", "--issuer", "https://localhost:8443", "--tls-cert", "cert.pem"][..],
            "tls_cert (BATON_TLS_CERT) and tls_key (BATON_TLS_KEY) go together",
        ),
        (
            &["serve", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--issuer", "https://localhost:8443"][..],
            "tls_cert/tls_key (BATON_TLS_CERT/BATON_TLS_KEY) are given but tls (BATON_TLS) is off",
        ),
    ] {
        let out = baton(&db, args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_given_certificate_files() {
    // A chain and key made elsewhere (here: by baton's own CA code in another directory).
    let db = TestDb::new(Backend::Sqlite).await.unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let files = baton::tls::LocalCa::ensure(elsewhere.path(), "localhost", std::time::SystemTime::now()).unwrap();
    let port = free_port();
    let (listen, issuer) = (format!("127.0.0.1:{port}"), format!("https://localhost:{port}"));
    let cert = files.server_cert.display().to_string();
    let key = files.server_key.display().to_string();
    let child = baton(
        &db,
        &["serve", "--tls", "--tls-cert", &cert, "--tls-key", &key, "--listen", &listen, "--issuer", &issuer],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    let _baton = Baton(child);
    let client = trusting(&std::fs::read(&files.ca_cert).unwrap());
    let doc = wait_for(&client, &format!("https://localhost:{port}/.well-known/openid-configuration")).await;
    assert_eq!(doc["issuer"], issuer);
    // No local CA is made when the files are given.
    assert!(!db.keys_dir().join("tls").exists());
}
