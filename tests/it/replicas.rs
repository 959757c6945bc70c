//! Two replicas of the real `baton` binary on one database (Postgres, and a SQLite file), with
//! one external issuer and one key directory (so one KEK): an ID-JAG obtained through real
//! hops 1 and 3 against the first replica is sent to both at once, and exactly one redeems it
//! (xaa.md §6.2 step 10: single use is decided by the database, across replicas).

use crate::browser;
use crate::common;
use crate::common::free_port;

use browser::{authorize_url, chat_request, with, Form, Resp, PASSWORD};
use common::oauth::{
    assertion_claims, basic, pkce, sign_assertion, Reply, ASSERTION_TYPE, CHAT, CHAT_REDIRECT, CHAT_SECRET, KNOWLEDGE,
    LOGIN, ORCHESTRATOR,
};
use common::{Backend, TestDb};
use std::collections::BTreeMap;
use std::process::{Command, Stdio};
use std::time::Duration;

struct Baton {
    /// Killed when this is dropped.
    _process: common::Process,
    /// Where this replica listens (its own port).
    local: String,
}

/// Starts a replica listening on `port`, announcing `issuer`, on `db` with `db`'s key directory.
async fn replica(db: &TestDb, port: u16, issuer: &str, seed: bool) -> Baton {
    let listen = format!("127.0.0.1:{port}");
    let mut args = vec!["serve", "--listen", listen.as_str()];
    if seed {
        args.extend(["--seed", "examples/streamward.yaml"]);
    }
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(&args)
        .env("DATABASE_URL", &db.url)
        .env("BATON_KEYS_DIR", db.keys_dir())
        .env("BATON_ISSUER", issuer)
        .env("BATON_ADMIN_API_TOKEN", ADMIN_TOKEN)
        .env_remove("BATON_KEY_ENCRYPTION_KEY")
        .env_remove("BATON_LISTEN")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn baton");
    let b = Baton { _process: common::Process(child), local: format!("http://{listen}") };
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{}/readyz", b.local)).send().await {
            if r.status() == 200 {
                return b;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("baton did not become ready");
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn read(r: reqwest::Response, jar: &mut BTreeMap<String, String>) -> Resp {
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let body = r.text().await.unwrap();
    for line in headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()) {
        let (name, value) = line.split(';').next().unwrap().split_once('=').unwrap();
        jar.insert(name.to_owned(), value.to_owned());
    }
    Resp { status, headers, body }
}

fn cookies(jar: &BTreeMap<String, String>) -> String {
    jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
}

async fn post_form(http: &reqwest::Client, url: &str, headers: &[(&str, &str)], form: &[(&str, &str)]) -> Reply {
    let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let mut req = http.post(url).header("content-type", "application/x-www-form-urlencoded").body(body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    Reply::from(req.send().await.unwrap()).await
}

/// Hop 1 against `base`: the real sign-in page, then the code redeemed with PKCE → T1.
async fn t1(http: &reqwest::Client, base: &str) -> String {
    let (verifier, challenge) = pkce();
    let params = with(chat_request("openid profile email"), "code_challenge", Some(&challenge));
    let mut jar = BTreeMap::new();
    let r = http.get(format!("{base}{}", authorize_url(Some("default"), &params))).send().await.unwrap();
    let page = read(r, &mut jar).await;
    assert!(page.is_sign_in_page(), "{}: {}", page.status, page.body);
    let Form { action, .. } = page.form();
    let fields = with(page.form().set("username", LOGIN), "password", Some(PASSWORD));
    let r = http
        .post(&action)
        .header("cookie", cookies(&jar))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(browser::encode(&fields))
        .send()
        .await
        .unwrap();
    let done = read(r, &mut jar).await;
    assert_eq!(done.status, 302, "{}", done.body);
    let code = done.redirect_params()["code"].clone();
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", CHAT_REDIRECT),
        ("code_verifier", verifier.as_str()),
    ];
    let auth = basic(CHAT, CHAT_SECRET);
    let r = post_form(http, &format!("{base}/oauth2/default/v1/token"), &[("authorization", &auth)], &form).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// A fresh client assertion of the orchestrator for `aud`.
fn orchestrator_assertion(aud: &str) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    sign_assertion("orchestrator", None, &assertion_claims(ORCHESTRATOR, aud, now))
}

/// Hop 3 against `base` (issuer `issuer`) → J1.
async fn j1(http: &reqwest::Client, base: &str, issuer: &str, t1: &str) -> String {
    let r = exchange(http, base, issuer, t1).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// The hop 3 request against `base`.
async fn exchange(http: &reqwest::Client, base: &str, issuer: &str, t1: &str) -> Reply {
    let ca = orchestrator_assertion(&format!("{issuer}/oauth2/v1/token"));
    let audience = format!("{issuer}/oauth2/{KNOWLEDGE}");
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:id-jag"),
        ("subject_token", t1),
        ("subject_token_type", "urn:ietf:params:oauth:token-type:access_token"),
        ("audience", audience.as_str()),
        ("resource", "https://streamward.com/corp/knowledge"),
        ("scope", "Corp-Knowledge-Agent:execute"),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", ca.as_str()),
    ];
    post_form(http, &format!("{base}/oauth2/v1/token"), &[], &form).await
}

/// Hop 4 at the replica listening on `base`: the orchestrator redeems `jag`.
async fn redeem(http: &reqwest::Client, base: &str, issuer: &str, jag: &str) -> Reply {
    let ca = orchestrator_assertion(&format!("{issuer}/oauth2/{KNOWLEDGE}/v1/token"));
    let form = [
        ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
        ("assertion", jag),
        ("client_assertion_type", ASSERTION_TYPE),
        ("client_assertion", ca.as_str()),
    ];
    post_form(http, &format!("{base}/oauth2/{KNOWLEDGE}/v1/token"), &[], &form).await
}

/// Replica A (which applies the seed) and replica B on `db`, both announcing A's issuer.
async fn two_replicas(db: &TestDb) -> (Baton, Baton, String) {
    let (port_a, port_b) = (free_port(), free_port());
    let issuer = format!("http://127.0.0.1:{port_a}");
    let a = replica(db, port_a, &issuer, true).await;
    let b = replica(db, port_b, &issuer, false).await;
    (a, b, issuer)
}

async fn one_id_jag_redeems_once_across_replicas(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (a, b, issuer) = two_replicas(&db).await;
    let http = http();
    // Both replicas publish the same keys (one KEK, one database).
    for path in ["/oauth2/v1/keys", &format!("/oauth2/{KNOWLEDGE}/v1/keys")] {
        let ka: serde_json::Value = http.get(format!("{}{path}", a.local)).send().await.unwrap().json().await.unwrap();
        let kb: serde_json::Value = http.get(format!("{}{path}", b.local)).send().await.unwrap().json().await.unwrap();
        assert_eq!(ka, kb, "{path}");
    }
    let t1 = t1(&http, &a.local).await;
    for round in 0..3 {
        let jag = j1(&http, &a.local, &issuer, &t1).await;
        let (ra, rb) = tokio::join!(redeem(&http, &a.local, &issuer, &jag), redeem(&http, &b.local, &issuer, &jag));
        let (won, lost) = match (ra.status, rb.status) {
            (200, 400) => (ra, rb),
            (400, 200) => (rb, ra),
            other => panic!("round {round}: expected one 200 and one 400, got {other:?}: {} / {}", ra.text, rb.text),
        };
        assert_eq!(won.body["token_type"], "Bearer", "{}", won.text);
        assert_eq!(won.body["scope"], "Corp-Knowledge-Agent:execute");
        lost.assert_error(400, "invalid_grant", "The id-jag was already used.");
    }
}

const ADMIN_TOKEN: &str = "replicas-admin-token-0123456789";

/// The kill switch across replicas: each replica serves configuration from its in-memory
/// snapshot, yet an agent deactivated through one replica's API is refused by the other almost
/// at once (Postgres NOTIFY; a poll of `config_version` on a shared SQLite file), and its
/// reactivation is seen the same way.
async fn deactivation_reaches_the_other_replica(backend: Backend) {
    let Some(db) = TestDb::new(backend).await else { return };
    let (a, b, issuer) = two_replicas(&db).await;
    let http = http();
    let t1 = t1(&http, &a.local).await;
    // B has the orchestrator, the servers and the link in its snapshot now.
    let jag = j1(&http, &b.local, &issuer, &t1).await;
    assert_eq!(redeem(&http, &b.local, &issuer, &jag).await.status, 200);
    let lifecycle =
        |op: &str| format!("{}/workload-principals/api/v1/ai-agents/{ORCHESTRATOR}/lifecycle/{op}", a.local);
    for (op, refused) in [("deactivate", true), ("activate", false)] {
        let r = http.post(lifecycle(op)).header("authorization", format!("SSWS {ADMIN_TOKEN}")).send().await.unwrap();
        assert!(r.status().is_success(), "{op}: {}", r.status());
        let changed = std::time::Instant::now();
        let mut seen = None;
        while changed.elapsed() < Duration::from_secs(2) {
            // The orchestrator's exchange at B: 401 invalid_client once B knows it is INACTIVE.
            let r = exchange(&http, &b.local, &issuer, &t1).await;
            if (r.status == 401) == refused && (refused || r.status == 200) {
                seen = Some(changed.elapsed());
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let seen = seen.unwrap_or_else(|| panic!("{op} not seen by the other replica within 2 s"));
        eprintln!("{backend:?}: {op} seen by the other replica after {seen:?}");
        assert!(seen < Duration::from_secs(1), "{op} took {seen:?} to reach the other replica");
    }
}

backend_tests!(one_id_jag_redeems_once_across_replicas, deactivation_reaches_the_other_replica);
