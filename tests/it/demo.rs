//! `baton demo` against the real binary serving the Streamward seed, on both backends: it walks
//! the whole §9 chain, exits 0, and the last token it prints carries the three-level `act` chain.

use crate::common;

use common::{Backend, TestDb};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::Process as Baton;

async fn serve(db: &TestDb) -> (Baton, String) {
    let port = crate::common::free_port();
    let listen = format!("127.0.0.1:{port}");
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["serve", "--listen", &listen, "--seed", "examples/streamward.yaml"])
        .env("DATABASE_URL", &db.url)
        .env("BATON_KEYS_DIR", db.keys_dir())
        .env_remove("BATON_KEY_ENCRYPTION_KEY")
        .env_remove("BATON_ISSUER")
        .env_remove("BATON_LISTEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baton");
    let b = Baton(child);
    let base = format!("http://{listen}");
    for _ in 0..600 {
        if let Ok(r) = reqwest::get(format!("{base}/readyz")).await {
            if r.status() == 200 {
                return (b, base);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("baton did not become ready");
}

fn demo(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_baton"))
        .arg("demo")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

async fn demo_walks_the_chain(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (_server, base) = serve(&db).await;
    let out = demo(&["--url", &base, "--keys-dir", "keys/streamward"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for hop in ["== Hop 1:", "== Hop 3:", "== Hop 4:", "== Hop 7:", "== Hop 8:"] {
        assert!(stdout.contains(hop), "{hop} missing:\n{stdout}");
    }
    // The last token printed (T3): typ-less header, and the three-level act chain.
    let t3 = &stdout[stdout.find("== Hop 8:").unwrap()..];
    let claims = &t3[t3.find("claims: ").unwrap() + "claims: ".len()..];
    let claims: serde_json::Value = serde_json::Deserializer::from_str(claims).into_iter().next().unwrap().unwrap();
    assert_eq!(
        claims["act"],
        serde_json::json!({"sub": "wlpzantde10QGRrpF1d7", "sub_profile": "ai_agent",
            "act": {"sub": "wlps2fwpkzi3raviM1d7", "sub_profile": "ai_agent",
                "act": {"sub": "0oarbboyj0J3R67xy1d7", "sub_profile": "web_app"}}}),
        "{stdout}"
    );
    assert_eq!(claims["sub"], "demouser@streamward.com");
    assert_eq!(claims["iss"], format!("{base}/oauth2/ausDqjwbmWqxUvljogI0"));

    // A failing hop: the orchestrator's key file holds another agent's key → hop 3 is refused;
    // the OAuth error body is printed and the exit code is non-zero.
    let keys = tempfile::tempdir().unwrap();
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("keys/streamward");
    std::fs::copy(src.join("corp-knowledge-agent.pem"), keys.path().join("orchestrator.pem")).unwrap();
    std::fs::copy(src.join("corp-knowledge-agent.pem"), keys.path().join("corp-knowledge-agent.pem")).unwrap();
    let out = demo(&["--url", &base, "--keys-dir", keys.path().to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(r#""error":"invalid_client""#), "{stderr}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("== Hop 1:"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("== Hop 3:"));
}

backend_tests!(demo_walks_the_chain);
