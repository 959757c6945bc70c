//! Prometheus metrics, one registry per server (no globals, so each test's server counts
//! alone), rendered in the text exposition format by `GET /metrics` (`http::metrics`).
//!
//! Counted where things happen: HTTP requests by route template and status (`http::access`),
//! tokens issued and refused by grant type and OAuth error, ID-JAG exchanges and redemptions
//! (`oauth::token`). Read at scrape time: the store's pool and write queue, signing key ages.
//! The store's group-commit latency is the store's own histogram, registered here.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct GrantLabels {
    grant_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusalLabels {
    grant_type: String,
    error: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabels {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KeyLabels {
    kid: String,
    owner: String,
    status: String,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Latency buckets from 0.5 ms to about 8 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.000_5, 2.0, 15))
}

/// Which Cross-App Access leg a token request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum XaaLeg {
    /// Token exchange for an ID-JAG at the org AS (leg 1).
    Exchange,
    /// JWT-bearer redemption of an ID-JAG at a resource's AS (leg 2).
    Redemption,
}

/// What the store reports at scrape time.
#[derive(Clone, Debug, Default)]
pub struct StoreGauges {
    pub pool_size: u32,
    pub pool_idle: u32,
    /// Requests waiting for the group-commit writer.
    pub write_queue: u64,
}

/// A signing key as the scrape sees it.
pub struct KeyAge {
    pub kid: String,
    pub owner: String,
    pub status: String,
    pub age_seconds: i64,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: HistogramFamily<RouteLabels>,
    issued: Family<GrantLabels, Counter>,
    refused: Family<RefusalLabels, Counter>,
    exchanges: Family<ResultLabels, Counter>,
    redemptions: Family<ResultLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    write_queue: Gauge,
    key_ages: Family<KeyLabels, Gauge>,
}

impl Metrics {
    /// A registry with every baton metric; `commit_seconds` is the store's group-commit latency.
    #[must_use]
    pub fn new(backend: &'static str, commit_seconds: Histogram) -> Self {
        let mut registry = Registry::with_prefix("baton");
        registry.register(
            "build",
            "The running baton",
            Info::new(vec![("version", env!("CARGO_PKG_VERSION")), ("database", backend)]),
        );
        let m = Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(latency),
            issued: Family::default(),
            refused: Family::default(),
            exchanges: Family::default(),
            redemptions: Family::default(),
            pool: Family::default(),
            write_queue: Gauge::default(),
            key_ages: Family::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register("http_requests", "HTTP requests answered, by route template and status", m.requests.clone());
        r.register("http_request_duration_seconds", "Time to answer, by route template", m.durations.clone());
        r.register("tokens_issued", "Token requests answered with tokens, by grant type", m.issued.clone());
        r.register("tokens_refused", "Token requests refused, by grant type and OAuth error", m.refused.clone());
        r.register("id_jag_exchanges", "Token exchanges for an ID-JAG (XAA leg 1), by result", m.exchanges.clone());
        r.register(
            "id_jag_redemptions",
            "JWT-bearer redemptions of an ID-JAG (XAA leg 2), by result",
            m.redemptions.clone(),
        );
        r.register("store_commit_duration_seconds", "Group commits of the token path's rows", commit_seconds);
        r.register("store_pool_connections", "Database connections, by state", m.pool.clone());
        r.register("store_write_queue_depth", "Requests waiting for the group-commit writer", m.write_queue.clone());
        r.register("signing_key_age_seconds", "Age of each signing key not yet expired", m.key_ages.clone());
        Self { registry, ..m }
    }

    /// One answered HTTP request; `route` is the matched template (`/oauth2/{as}/v1/token`).
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let (method, route) = (method.to_owned(), route.to_owned());
        self.durations.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(seconds);
        self.requests.get_or_create(&RequestLabels { method, route, status }).inc();
    }

    /// One token request's outcome: `Ok(())` issued, `Err(error code)` refused.
    pub fn token(&self, grant_type: &str, leg: Option<XaaLeg>, outcome: Result<(), &str>) {
        let grant_type = grant_type.to_owned();
        let result = match outcome {
            Ok(()) => {
                self.issued.get_or_create(&GrantLabels { grant_type }).inc();
                "issued"
            }
            Err(error) => {
                self.refused.get_or_create(&RefusalLabels { grant_type, error: error.to_owned() }).inc();
                "refused"
            }
        };
        let family = match leg {
            Some(XaaLeg::Exchange) => &self.exchanges,
            Some(XaaLeg::Redemption) => &self.redemptions,
            None => return,
        };
        family.get_or_create(&ResultLabels { result }).inc();
    }

    /// The text exposition of every metric, with the scrape-time gauges set first.
    #[must_use]
    pub fn render(&self, store: &StoreGauges, keys: &[KeyAge]) -> String {
        let busy = store.pool_size.saturating_sub(store.pool_idle);
        self.pool.get_or_create(&PoolLabels { state: "idle" }).set(i64::from(store.pool_idle));
        self.pool.get_or_create(&PoolLabels { state: "busy" }).set(i64::from(busy));
        self.write_queue.set(i64::try_from(store.write_queue).unwrap_or(i64::MAX));
        self.key_ages.clear();
        for k in keys {
            let labels = KeyLabels { kid: k.kid.clone(), owner: k.owner.clone(), status: k.status.clone() };
            self.key_ages.get_or_create(&labels).set(k.age_seconds);
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The store's group-commit latency histogram (same buckets as request latency).
#[must_use]
pub fn commit_histogram() -> Histogram {
    latency()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_render_in_the_text_format() {
        let m = Metrics::new("sqlite", commit_histogram());
        m.request("POST", "/oauth2/{as}/v1/token", 200, 0.002);
        m.token("client_credentials", None, Ok(()));
        m.token("urn:ietf:params:oauth:grant-type:jwt-bearer", Some(XaaLeg::Redemption), Err("invalid_grant"));
        let keys = [KeyAge { kid: "k1".into(), owner: "aus1".into(), status: "ACTIVE".into(), age_seconds: 42 }];
        let text = m.render(&StoreGauges { pool_size: 5, pool_idle: 3, write_queue: 0 }, &keys);
        for line in [
            r#"baton_http_requests_total{method="POST",route="/oauth2/{as}/v1/token",status="200"} 1"#,
            r#"baton_tokens_issued_total{grant_type="client_credentials"} 1"#,
            r#"baton_tokens_refused_total{grant_type="urn:ietf:params:oauth:grant-type:jwt-bearer",error="invalid_grant"} 1"#,
            r#"baton_id_jag_redemptions_total{result="refused"} 1"#,
            r#"baton_store_pool_connections{state="busy"} 2"#,
            r#"baton_signing_key_age_seconds{kid="k1",owner="aus1",status="ACTIVE"} 42"#,
            r#"baton_build_info{version=""#,
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
