//! What `baton` logs and traces. Log lines go to stderr (text or JSON, `BATON_LOG` filters
//! them, no ANSI colours unless stderr is a terminal and `NO_COLOR` is unset); each line of a
//! request carries the request's span (`request_id`, method, route). With an OTLP endpoint,
//! baton's own spans (one per request; policy evaluation, signing and store writes beneath
//! it) are exported over OTLP/HTTP (protobuf) in batches; an incoming W3C `traceparent`
//! makes the request's span a child of the caller's, so an agent chain is one trace.

use axum::http;
use bytes::Bytes;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_http::{HttpClient, HttpError};
use opentelemetry_otlp::{WithExportConfig as _, WithHttpConfig as _};
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::time::Duration;
use tracing_subscriber::filter::{EnvFilter, LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::{Layer as _, Registry};

/// The default log filter when `BATON_LOG` is unset.
pub const DEFAULT_FILTER: &str = "info,sqlx=warn";

/// Flushes exported spans when dropped through `shutdown`.
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Exports the spans still buffered (at most a few seconds), then stops the exporter.
    pub async fn shutdown(self) {
        if let Some(provider) = self.provider {
            // The batch processor's thread exports through the runtime: wait off it.
            let done = tokio::task::spawn_blocking(move || provider.shutdown());
            if let Ok(Err(e)) = done.await {
                eprintln!("baton: exporting the last spans failed: {e}");
            }
        }
    }
}

/// Installs the global subscriber (call once, inside the Tokio runtime).
pub fn init(json: bool, otlp_endpoint: Option<&str>) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_env("BATON_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr).with_ansi(ansi);
    let fmt: Box<dyn tracing_subscriber::Layer<Registry> + Send + Sync> =
        if json { fmt.json().with_filter(filter).boxed() } else { fmt.with_filter(filter).boxed() };
    let provider = otlp_endpoint.map(provider).transpose()?;
    let otel = provider.as_ref().map(|p| {
        // baton's own spans only: a library's spans would be noise in a trace (and the
        // exporter's own HTTP client must not trace itself). The child spans (policy, signing,
        // store) are at debug level, so that without an exporter they cost nothing.
        let only_baton = Targets::new().with_target("baton", LevelFilter::DEBUG);
        tracing_opentelemetry::layer().with_tracer(p.tracer("baton")).with_filter(only_baton)
    });
    tracing_subscriber::registry().with(fmt).with(otel).try_init()?;
    if provider.is_some() {
        opentelemetry::global::set_text_map_propagator(opentelemetry_sdk::propagation::TraceContextPropagator::new());
    }
    Ok(Telemetry { provider })
}

/// `endpoint` is the collector's base URL (`http://collector:4318`, as
/// `OTEL_EXPORTER_OTLP_ENDPOINT`); traces go to its `/v1/traces`.
fn provider(endpoint: &str) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_http_client(OtlpClient::new()?)
        .with_endpoint(traces_url(endpoint)?)
        .with_timeout(Duration::from_secs(10))
        .build()?;
    let resource = opentelemetry_sdk::Resource::builder().with_service_name("baton").build();
    Ok(SdkTracerProvider::builder().with_batch_exporter(exporter).with_resource(resource).build())
}

/// The `/v1/traces` URL of a collector's base URL (kept as is when it already ends so).
pub fn traces_url(endpoint: &str) -> anyhow::Result<String> {
    let url =
        url::Url::parse(endpoint).map_err(|e| anyhow::anyhow!("the OTLP endpoint {endpoint:?} is not a URL: {e}"))?;
    anyhow::ensure!(
        matches!(url.scheme(), "http" | "https"),
        "the OTLP endpoint must be an http(s) URL (OTLP/HTTP), not {endpoint:?}"
    );
    let base = endpoint.trim_end_matches('/');
    Ok(if base.ends_with("/v1/traces") { base.to_owned() } else { format!("{base}/v1/traces") })
}

/// The exporter's HTTP client: baton's reqwest, run on the Tokio runtime (the SDK's batch
/// processor calls it from its own thread, outside the runtime).
#[derive(Debug)]
struct OtlpClient {
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl OtlpClient {
    fn new() -> anyhow::Result<Self> {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
        Ok(Self { client, runtime: tokio::runtime::Handle::try_current()? })
    }
}

#[async_trait::async_trait]
impl HttpClient for OtlpClient {
    async fn send_bytes(&self, request: http::Request<Bytes>) -> Result<http::Response<Bytes>, HttpError> {
        let client = self.client.clone();
        let (parts, body) = request.into_parts();
        let sent = self.runtime.spawn(async move {
            let answer =
                client.request(parts.method, parts.uri.to_string()).headers(parts.headers).body(body).send().await?;
            let mut response = http::Response::builder().status(answer.status());
            if let Some(headers) = response.headers_mut() {
                *headers = answer.headers().clone();
            }
            Ok::<_, HttpError>(response.body(answer.bytes().await?)?)
        });
        sent.await?
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_traces_url_is_the_collectors_v1_traces() {
        for (given, url) in [
            ("http://collector:4318", "http://collector:4318/v1/traces"),
            ("http://collector:4318/", "http://collector:4318/v1/traces"),
            ("https://otel.example/v1/traces", "https://otel.example/v1/traces"),
        ] {
            assert_eq!(super::traces_url(given).unwrap(), url);
        }
        assert!(super::traces_url("collector:4317").is_err());
        assert!(super::traces_url("grpc://collector:4317").is_err());
    }
}
