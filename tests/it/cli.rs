//! The real `baton` binary: `serve --seed` on both backends answers discovery for the org AS
//! and both Streamward servers, `keys rotate` rotates, and a restart keeps ids and keys.

use crate::common;
use crate::common::free_port;

use common::{Backend, TestDb};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;

struct Baton {
    /// Killed when this is dropped.
    _process: common::Process,
    base: String,
}

fn baton(db: &TestDb, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_baton"));
    cmd.args(args)
        .env("DATABASE_URL", &db.url)
        .env("BATON_KEYS_DIR", db.keys_dir())
        .env_remove("BATON_KEY_ENCRYPTION_KEY")
        .env_remove("BATON_ISSUER")
        .env_remove("BATON_LISTEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

async fn serve(db: &TestDb) -> Baton {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = baton(db, &["serve", "--listen", &listen, "--seed", "examples/streamward.yaml"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baton");
    let b = Baton { _process: common::Process(child), base: format!("http://{listen}") };
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{}/readyz", b.base)).send().await {
            if r.status() == 200 {
                return b;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("baton did not become ready");
}

async fn get(base: &str, path: &str) -> (u16, Value) {
    let r = reqwest::get(format!("{base}{path}")).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn kids(base: &str, path: &str) -> Vec<String> {
    let (_, jwks) = get(base, path).await;
    let mut kids: Vec<String> =
        jwks["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_owned()).collect();
    kids.sort();
    kids
}

async fn binary_serves_seeded_discovery_and_survives_restart(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let first = serve(&db).await;
    let mut issuers = Vec::new();
    for path in [
        "/.well-known/openid-configuration",
        "/oauth2/aus1JGp4q34ckplLYGbL/.well-known/openid-configuration",
        "/oauth2/ausDqjwbmWqxUvljogI0/.well-known/oauth-authorization-server",
    ] {
        let (status, doc) = get(&first.base, path).await;
        assert_eq!(status, 200, "{path}");
        issuers.push(doc["issuer"].as_str().unwrap().to_owned());
    }
    assert_eq!(issuers[0], first.base);
    assert_eq!(issuers[1], format!("{}/oauth2/aus1JGp4q34ckplLYGbL", first.base));
    let org_kids = kids(&first.base, "/oauth2/v1/keys").await;
    let default_kids = kids(&first.base, "/oauth2/default/v1/keys").await;
    drop(first);

    // Rotate the default AS from the CLI while the server is down.
    let out = baton(&db, &["keys", "rotate", "--auth-server", "default"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listing.lines().filter(|l| l.contains("\tACTIVE\t")).count(), 1, "{listing}");
    assert_eq!(listing.lines().filter(|l| l.contains("\tEXPIRED\t")).count(), 1, "{listing}");

    let second = serve(&db).await;
    assert_eq!(kids(&second.base, "/oauth2/v1/keys").await, org_kids, "restart keeps the org keys");
    let rotated = kids(&second.base, "/oauth2/default/v1/keys").await;
    assert_eq!(rotated.len(), 3, "ACTIVE, NEXT and the just-expired key");
    for kid in &default_kids {
        assert!(rotated.contains(kid));
    }
}

async fn unknown_auth_server_rotation_fails_cleanly(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let out = baton(&db, &["keys", "rotate", "--auth-server", "ausMissing"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no authorization server \"ausMissing\""));
    let out = baton(&db, &["migrate"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A key-encryption key that cannot open the stored signing keys stops the start with a message
/// that says so (before, /readyz answered 200 and every token request was a 500); an empty
/// `BATON_KEY_ENCRYPTION_KEY=` is an error, not "unset".
async fn wrong_or_empty_kek_stops_the_start(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let kek_a = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
    let kek_b = "HxwdHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA";
    let out =
        baton(&db, &["seed", "examples/streamward.yaml"]).env("BATON_KEY_ENCRYPTION_KEY", kek_a).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listen = format!("127.0.0.1:{}", free_port());
    let out = baton(&db, &["serve", "--listen", &listen]).env("BATON_KEY_ENCRYPTION_KEY", kek_b).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("the key-encryption key does not open"), "{stderr}");
    assert!(stderr.contains("BATON_KEY_ENCRYPTION_KEY"), "{stderr}");
    assert!(stderr.contains("ERROR") && !stderr.contains('\x1b'), "a log line, without colours in a pipe: {stderr}");
    let out = baton(&db, &["serve", "--listen", &listen]).env("BATON_KEY_ENCRYPTION_KEY", "").output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("BATON_KEY_ENCRYPTION_KEY is set but empty"), "{stderr}");
    // The right key still opens them.
    let out =
        baton(&db, &["seed", "examples/streamward.yaml"]).env("BATON_KEY_ENCRYPTION_KEY", kek_a).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

backend_tests!(
    binary_serves_seeded_discovery_and_survives_restart,
    unknown_auth_server_rotation_fails_cleanly,
    wrong_or_empty_kek_stops_the_start
);

/// `baton serve` says where it is when ready (the admin console's URL on stdout), and a listen
/// address already taken stops the start with an error that names it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_names_its_console_and_a_taken_address() {
    use std::io::BufRead;
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite is always there");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = baton(&db, &["serve", "--listen", &addr]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&format!("cannot listen on {addr}: ")), "{stderr}");
    drop(taken);

    let listen = format!("127.0.0.1:{}", free_port());
    let mut child =
        baton(&db, &["serve", "--listen", &listen]).stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let _server = Baton { _process: common::Process(child), base: format!("http://{listen}") };
    assert_eq!(line.trim_end(), format!("baton is ready: issuer http://{listen}, admin console http://{listen}/admin"));
}

/// `baton healthcheck`, the container image's HEALTHCHECK: exit 0 against a ready server, found
/// from `BATON_LISTEN` (an unspecified 0.0.0.0 probed over loopback, as in the image) or `--url`;
/// exit 1 with the reason when the answer is not 200 or nothing answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_probes_readiness() {
    let db = TestDb::new(Backend::Sqlite).await.expect("SQLite is always there");
    let server = serve(&db).await;
    let port = server.base.rsplit(':').next().unwrap().to_owned();
    let check = |args: &[&str], listen: Option<&str>| {
        let mut cmd = baton(&db, &["healthcheck"]);
        if let Some(listen) = listen {
            cmd.env("BATON_LISTEN", listen);
        }
        cmd.args(args).output().unwrap()
    };
    let out = check(&[], Some(&format!("0.0.0.0:{port}")));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("GET http://127.0.0.1:{port}/readyz: HTTP 200 OK"));
    let out = check(&["--url", &format!("{}/readyz", server.base)], Some("192.0.2.1:1"));
    assert!(out.status.success(), "--url wins over BATON_LISTEN: {}", String::from_utf8_lossy(&out.stderr));
    let out = check(&["--url", &format!("{}/nope", server.base)], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("HTTP 404 Not Found, not ready"));
    drop(server);
    let out = check(&["--listen", &format!("127.0.0.1:{port}")], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with(&format!("baton healthcheck: GET http://127.0.0.1:{port}/readyz: ")), "{stderr}");
}

/// `baton serve --help` names every setting of the README's configuration table: each flag,
/// and each environment variable (the env-only secrets in its footer).
#[test]
fn serve_help_names_every_readme_setting() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_baton")).args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme.split("## Configuration").nth(1).unwrap().split("\n\n").find(|b| b.contains("| --- |")).unwrap();
    let names = regex::Regex::new(r"`((?:--|BATON_|DATABASE_URL)[a-zA-Z_-]*)`").unwrap();
    let mut checked = 0;
    for row in table.lines().skip(2) {
        let cells: Vec<&str> = row.split(" | ").take(2).collect();
        for m in cells.iter().flat_map(|c| names.captures_iter(c)) {
            assert!(help.contains(&m[1]), "{} is in the README but not in `baton serve --help`", &m[1]);
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} names found in the README table");
}
