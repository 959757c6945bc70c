//! Metrics, traces and logs of the real `baton serve`: spans exported over OTLP/HTTP to a
//! receiver in this test (decoded with the OpenTelemetry protobuf types), continuing the
//! caller's `traceparent`, with policy, signing and store spans under the request's; the
//! request id the same in the span, the `X-Okta-Request-Id` header, the System Log's
//! `transaction.id` and the access log line; `/metrics` only on `--metrics-listen`.

use crate::common::{free_port, Process};
use axum::body::Bytes;
use axum::routing::post;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message as _;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const SERVICE: &str = "0oabenchserviceRS256";
const SECRET: &str = "bench-service-secret-0123456789abcdef";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";
const API_TOKEN: &str = "00observability-test-token-0123456789abcdef";

type Spans = Arc<Mutex<Vec<Span>>>;

/// An OTLP/HTTP trace receiver on 127.0.0.1:<random>: every span it is sent.
async fn receiver() -> (String, Spans) {
    let spans = Spans::default();
    let sink = spans.clone();
    let app = axum::Router::new().route(
        "/v1/traces",
        post(move |body: Bytes| async move {
            let request = ExportTraceServiceRequest::decode(body).expect("an OTLP protobuf body");
            let mut all = sink.lock().unwrap();
            for rs in request.resource_spans {
                for ss in rs.scope_spans {
                    all.extend(ss.spans);
                }
            }
            ([("content-type", "application/x-protobuf")], Vec::<u8>::new())
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, spans)
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span.attributes.iter().find(|a| a.key == key)?.value.as_ref()?.value.as_ref()?;
    Some(match value {
        AnyValue::StringValue(s) => s.clone(),
        AnyValue::IntValue(i) => i.to_string(),
        other => format!("{other:?}"),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, b| {
        use std::fmt::Write as _;
        let _ = write!(out, "{b:02x}");
        out
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_metrics_and_logs_of_one_token_request() {
    let (collector, spans) = receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let (port, metrics_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let stderr = std::fs::File::create(dir.path().join("stderr.log")).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_baton"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--seed", "scripts/bench-data/seed.yaml"])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}"), "--otlp-endpoint", &collector])
        .env("DATABASE_URL", format!("sqlite://{}/baton.db", dir.path().display()))
        .env("BATON_KEYS_DIR", dir.path().join("keys"))
        .env("BATON_ADMIN_API_TOKEN", API_TOKEN)
        .env("OTEL_BSP_SCHEDULE_DELAY", "100")
        .env_remove("BATON_LOG")
        .env_remove("BATON_ISSUER")
        .env_remove("BATON_KEY_ENCRYPTION_KEY")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let baton = Process(child);
    let http = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if http.get(format!("{base}/readyz")).send().await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "baton did not become ready");

    let r = http
        .post(format!("{base}/oauth2/ausbenchRS256aaaaaaa/v1/token?ignored=query"))
        .basic_auth(SERVICE, Some(SECRET))
        .header("traceparent", format!("00-{TRACE_ID}-{CALLER_SPAN}-01"))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let request_id = r.headers()["x-okta-request-id"].to_str().unwrap().to_owned();
    let refused = http
        .post(format!("{base}/oauth2/ausbenchRS256aaaaaaa/v1/token"))
        .basic_auth(SERVICE, Some(SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", "no:such:scope")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    // The request's span, continued from the caller's trace, with its children beneath it.
    let mut found = Vec::new();
    for _ in 0..100 {
        found = spans.lock().unwrap().iter().filter(|s| hex(&s.trace_id) == TRACE_ID).cloned().collect();
        if found.iter().any(|s| s.name == "store.write") && found.iter().any(|s| s.name.starts_with("POST")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let root = found.iter().find(|s| s.name == "POST /oauth2/{as}/v1/token").unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(hex(&root.parent_span_id), CALLER_SPAN);
    assert_eq!(attribute(root, "request_id").as_deref(), Some(request_id.as_str()));
    assert_eq!(attribute(root, "http.response.status_code").as_deref(), Some("200"));
    assert_eq!(root.kind, 2, "SPAN_KIND_SERVER");
    let mut children: Vec<&str> =
        found.iter().filter(|s| s.parent_span_id == root.span_id).map(|s| s.name.as_str()).collect();
    children.sort_unstable();
    assert_eq!(children, ["jose.sign", "policy.user_access", "store.write"], "{found:#?}");
    assert!(spans.lock().unwrap().iter().all(|s| !s.name.contains("sqlx") && !s.name.contains("hyper")));

    // The System Log's transaction.id is the request id.
    let logs: serde_json::Value = http
        .get(format!("{base}/api/v1/logs"))
        .query(&[("filter", format!("transaction.id eq \"{request_id}\""))])
        .header("authorization", format!("SSWS {API_TOKEN}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let types: Vec<&str> = logs.as_array().unwrap().iter().map(|e| e["eventType"].as_str().unwrap()).collect();
    assert!(types.contains(&"app.oauth2.as.token.grant.access_token"), "{logs:#}");

    // /metrics on its own listener only.
    assert_eq!(http.get(format!("{base}/metrics")).send().await.unwrap().status(), 404);
    let metrics =
        http.get(format!("http://127.0.0.1:{metrics_port}/metrics")).send().await.unwrap().text().await.unwrap();
    for line in [
        r#"baton_tokens_issued_total{grant_type="client_credentials"} 1"#,
        r#"baton_tokens_refused_total{grant_type="client_credentials",error="invalid_scope"} 1"#,
        r#"baton_http_requests_total{method="POST",route="/oauth2/{as}/v1/token",status="400"} 1"#,
        r#"baton_http_requests_total{method="GET",route="unmatched",status="404"} 1"#,
        r#"baton_store_pool_connections{state="idle"}"#,
        "baton_store_commit_duration_seconds_count",
    ] {
        assert!(metrics.contains(line), "{line} missing from\n{metrics}");
    }

    // Every line of the request carries its id; the access line has the path without the query.
    drop(baton);
    let log = std::fs::read_to_string(dir.path().join("stderr.log")).unwrap();
    let access = log
        .lines()
        .find(|l| l.contains("baton::access") && l.contains(&request_id))
        .unwrap_or_else(|| panic!("no access line for {request_id} in\n{log}"));
    assert!(access.contains("POST /oauth2/ausbenchRS256aaaaaaa/v1/token") && access.contains("status=200"), "{access}");
    assert!(!access.contains("ignored=query") && !access.contains('\u{1b}'), "{access}");
}
