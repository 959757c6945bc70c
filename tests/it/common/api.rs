//! Helpers for the Management and AI-agent API tests: a server whose bootstrap super-admin
//! token is known, and JSON calls with `Authorization: SSWS …`.

use super::{Backend, TestServer};
use reqwest::header::HeaderMap;
use reqwest::Method;
use serde_json::Value;

/// The `BATON_ADMIN_API_TOKEN` of `api_server`.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";

/// One answer: status, headers and the JSON body (`Value::Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Every `Link` header value, in order.
    #[must_use]
    pub fn links(&self) -> Vec<String> {
        self.headers.get_all("link").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
    }

    /// The URL of `rel="next"`, if any.
    #[must_use]
    pub fn next(&self) -> Option<String> {
        self.links().into_iter().find(|l| l.ends_with("rel=\"next\"")).map(|l| l[1..l.find('>').unwrap()].to_owned())
    }

    /// Panics unless the status is `status`, showing the body.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        self.body
    }

    /// Asserts an Okta error envelope with `code` at `status`; returns the envelope.
    #[track_caller]
    pub fn okta_error(self, status: u16, code: &str) -> Value {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.body);
        assert_eq!(self.body["errorCode"], code, "body: {}", self.body);
        assert_eq!(self.body["errorLink"], code);
        assert!(self.body["errorCauses"].is_array());
        assert_eq!(
            self.body["errorId"].as_str(),
            self.headers.get("x-okta-request-id").and_then(|v| v.to_str().ok()),
            "errorId is the request id"
        );
        self.body
    }
}

/// A fresh server (no seed) whose admin API token is `ADMIN_TOKEN`.
pub async fn api_server(backend: Backend) -> Option<TestServer> {
    TestServer::start_with(backend, |c| c.admin_api_token = Some(ADMIN_TOKEN.into())).await
}

impl TestServer {
    /// A JSON call with the admin token; `path` may be absolute (a `Link` URL) or a path.
    pub async fn api(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.api_as(ADMIN_TOKEN, method, path, body).await
    }

    pub async fn api_as(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> Reply {
        let url = if path.starts_with("http") { path.to_owned() } else { self.url(path) };
        let mut req = self
            .http
            .request(method, url)
            .header("authorization", format!("SSWS {token}"))
            .header("accept", "application/json");
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.expect("API call");
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.expect("body");
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON body") };
        Reply { status, headers, body }
    }

    pub async fn api_get(&self, path: &str) -> Reply {
        self.api(Method::GET, path, None).await
    }

    pub async fn api_post(&self, path: &str, body: &Value) -> Reply {
        self.api(Method::POST, path, Some(body)).await
    }

    pub async fn api_put(&self, path: &str, body: &Value) -> Reply {
        self.api(Method::PUT, path, Some(body)).await
    }

    pub async fn api_patch(&self, path: &str, body: &Value) -> Reply {
        self.api(Method::PATCH, path, Some(body)).await
    }

    pub async fn api_delete(&self, path: &str) -> Reply {
        self.api(Method::DELETE, path, None).await
    }

    /// The System Log events of one type, oldest first, read through `/api/v1/logs`' store.
    pub async fn events_of_type(&self, event_type: &str) -> Vec<Value> {
        let q = baton::store::LogQuery { event_type: Some(event_type.into()), limit: 1000, ..Default::default() };
        self.state.store.list_events(&q).await.unwrap().into_iter().map(|(_, r)| r.body).collect()
    }
}
